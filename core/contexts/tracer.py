"""Record every push and pop of app and request contexts, in order.

    with tracer.recording() as trace:
        with app.test_request_context("/hello"):
            ...
    trace.events  # push app, push request, pop request, pop app

A trace lives in a context variable, so each thread and each asyncio task
records only its own contexts. ``init_app(app)`` turns tracing on for an app;
without it (``TRACE_CONTEXTS = False``) an app has no signal receivers and
no middleware, and each request context push or pop costs one
context-variable lookup.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field

import flask
from flask import appcontext_popped, appcontext_pushed
from flask.ctx import RequestContext
from werkzeug.wsgi import get_current_url

ENVIRON_KEY = "site.context_trace"  # where TraceRequests leaves each request's trace


@dataclass(frozen=True)
class Event:
    """One push or pop: of which kind of context, of which app, how deep."""

    action: str  # "push" or "pop"
    kind: str  # "app" or "request"
    app: str
    depth: int  # contexts open in this trace: after a push, before a pop
    ms: float  # milliseconds since the trace began
    url: str | None = None  # a request context's URL, as its app sees it


@dataclass
class Trace:
    """The events of one recording, and the depth they have reached."""

    listener: object = None  # called with each Event as it happens
    events: list = field(default_factory=list)
    depth: int = 0
    started: float = field(default_factory=time.perf_counter)

    def record(self, action, kind, app, url=None):
        """Append an event (and tell the listener)."""
        if action == "push":
            self.depth += 1
        ms = round((time.perf_counter() - self.started) * 1000, 3)
        event = Event(action, kind, app, self.depth, ms, url)
        if action == "pop":
            self.depth -= 1
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)

    def as_json(self):
        """The events as a list of dicts."""
        return [asdict(event) for event in self.events]


_current = ContextVar("context_trace", default=None)


@contextmanager
def recording(listener=None):
    """Record the pushes and pops of this thread or task inside the block."""
    trace = Trace(listener=listener)
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def _record(action, kind, app, request=None):
    trace = _current.get()
    if trace is not None:  # the request's URL is built only when recording
        # From the environ as sent: request.url would check the Host against
        # TRUSTED_HOSTS and raise in the middle of a push.
        url = get_current_url(request.environ) if request else None
        trace.record(action, kind, app.name, url)


# App contexts: Flask's signals suffice. They are sent for every app context,
# including the one a request context pushes for itself, after the push and
# after the pop.
def _app_pushed(app, **extra):
    _record("push", "app", app)


def _app_popped(app, **extra):
    _record("pop", "app", app)


class TracedRequestContext(RequestContext):
    """A request context that records its push and pop.

    Flask sends no signal when a request context is pushed (``request_started``
    comes only for real requests, after the push, never for
    ``test_request_context``), so the class itself reports.
    """

    def push(self):
        """Push (after the app context, if one is needed), then record."""
        super().push()
        _record("push", "request", self.app, self.request)

    def pop(self, *args):
        """Record, then pop: Flask pops this context, then its app context."""
        _record("pop", "request", self.app, self.request)
        super().pop(*args)


class TracedFlask(flask.Flask):
    """A Flask app whose request contexts can be traced (real and test alike)."""

    def request_context(self, environ):
        """Create the request context for ``environ``: wsgi_app and
        test_request_context both come through here."""
        return TracedRequestContext(self, environ)


class TraceRequests:
    """WSGI middleware: record each request's trace into its environ."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        with recording() as trace:
            environ[ENVIRON_KEY] = trace
            return self.wsgi_app(environ, start_response)


def init_app(app):
    """Trace ``app``'s contexts, and record each of its requests' trace."""
    # Connected for this app only: other apps (and untraced ones) pay nothing.
    appcontext_pushed.connect(_app_pushed, sender=app)
    appcontext_popped.connect(_app_popped, sender=app)
    app.wsgi_app = TraceRequests(app.wsgi_app)
