"""Record every push and pop of app and request contexts, and every teardown,
in the order they really happen.

    with tracer.recording() as trace:
        with app.test_request_context("/hello"):
            ...
    trace.events  # push app, push request, teardown request, pop request,
                  # teardown app, pop app

The trace and the depth live in context variables: a thread starts with
neither (its pushes are not recorded), and an asyncio task starts with a
copy of its creator's, so its events join the creator's trace at its own
depth, never nested in a sibling task's.

The apps are ``TracedFlask``: its contexts report themselves. This costs one
context-variable lookup per push, pop and teardown when nothing records.
``init_app(app)`` (``TRACE_CONTEXTS``) adds the middleware that records each
request, its streamed body included.
"""

import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import NamedTuple
from urllib.parse import quote

import flask
from flask.ctx import AppContext, RequestContext, _sentinel
from flask.globals import _cv_request

ENVIRON_KEY = "site.context_trace"  # where TraceRequests leaves each request's trace
URL_KEY = "site.trace_url"  # a request's URL, built once for its events
PATH_SAFE = "/:@!$&'()*+,;=~"  # what a URL's path keeps as it is (RFC 3986)


class Event(NamedTuple):
    """One push, pop or teardown: of which kind of context, of which app, how
    deep. (A named tuple: made several times per request, it must be cheap.)"""

    action: str  # "push", "pop" or "teardown"
    kind: str  # "app" or "request"
    app: str
    depth: int  # contexts open in this task: after a push, before a pop
    ms: float  # milliseconds since the trace began
    url: str | None = None  # a request context's URL, as its app sees it
    note: str | None = None  # the teardown's callbacks; what went wrong


@dataclass
class Trace:
    """The events of one recording."""

    listener: object = None  # called with each Event as it happens
    events: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    # (number of events before it, text): the steps and remarks of a
    # narrated trace (the nested scenario), shown between its events.
    marks: list = field(default_factory=list)

    def record(self, action, kind, app, url=None, note=None):
        """Append an event at this task's depth (and tell the listener)."""
        depth = _depth.get()
        if action == "push":
            depth += 1
            _depth.set(depth)
        elif action == "pop":
            _depth.set(depth - 1)
        ms = round((time.perf_counter() - self.started) * 1000, 3)
        event = Event(action, kind, app, depth, ms, url, note)
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)

    def as_json(self):
        """The events as a list of dicts."""
        return [event._asdict() for event in self.events]


_current = ContextVar("context_trace", default=None)
_depth = ContextVar("context_trace_depth", default=0)


@contextmanager
def recording(listener=None):
    """Record the pushes, pops and teardowns of this thread or task (and of
    the tasks it starts) inside the block."""
    trace = Trace(listener=listener)
    token, depth_token = _current.set(trace), _depth.set(0)
    try:
        yield trace
    finally:
        _depth.reset(depth_token)
        _current.reset(token)


def _record(action, kind, app, request=None, note=None):
    trace = _current.get()
    if trace is not None:  # the request's URL is built only when recording
        trace.record(action, kind, app.name, _url(request), note)


def _url(request):
    """The request's URL, built once per request and kept in its environ."""
    if request is None:
        return None
    environ = request.environ
    url = environ.get(URL_KEY)
    if url is None:
        # From the environ as sent (request.url would check the Host against
        # TRUSTED_HOSTS and raise in the middle of a push), and as a URI:
        # werkzeug's get_current_url decodes it to an IRI, at 20 us a request.
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        path = quote(path.encode("latin-1"), safe=PATH_SAFE)  # WSGI's bytes
        query = environ.get("QUERY_STRING")
        url = f"{environ['wsgi.url_scheme']}://{host}{path}"
        url = environ[URL_KEY] = f"{url}?{query}" if query else url
    return url


def _failure(prefix=""):
    """What the exception being raised is, as a note (None if there is none)."""
    error = sys.exc_info()[1]
    return None if error is None else f"{prefix}{type(error).__name__}: {error}"


@lru_cache(maxsize=256)
def _names(callbacks):
    """The names of a tuple of callbacks, as a teardown's note (made once)."""
    return ", ".join(getattr(f, "__qualname__", repr(f)) for f in callbacks)


class TracedAppContext(AppContext):
    """An app context that records its push and pop, whatever is raised."""

    def push(self):
        """Push, then record (``appcontext_pushed`` receivers ran already)."""
        super().push()
        _record("push", "app", self.app)

    def pop(self, exc=_sentinel):
        """Pop, then record: also when a teardown raised, or Flask raised
        because another context was on top (it is unbound all the same)."""
        bound = len(self._cv_tokens)
        try:
            super().pop(exc)
        finally:
            if len(self._cv_tokens) < bound and _current.get() is not None:
                _record("pop", "app", self.app, note=_failure("raised "))


class TracedRequestContext(RequestContext):
    """A request context that records its push and pop where they happen."""

    def push(self):
        """Push (after the app context, if one is needed), then record; a push
        whose session fails to open is recorded too: it was bound first."""
        bound = len(self._cv_tokens)
        try:
            super().push()
        finally:
            if len(self._cv_tokens) > bound and _current.get() is not None:
                note = _failure("then raised ")
                _record("push", "request", self.app, self.request, note)

    def pop(self, exc=_sentinel):
        """Flask 3.1's ``RequestContext.pop``, recording the pop where it
        happens: after ``teardown_request``, before the app context pops.
        (tests/test_tracer.py fails if Flask's own code changes.)"""
        clear_request = len(self._cv_tokens) == 1
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request_close = getattr(self.request, "close", None)
                if request_close is not None:
                    request_close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            wrong = "popped while another request context was on top"
            _record(
                "pop", "request", self.app, self.request, None if ctx is self else wrong
            )
            if clear_request:
                ctx.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(
                    f"Popped wrong request context. ({ctx!r} instead of {self!r})"
                )


class Tracing:
    """What makes a Flask app's contexts report themselves (real and test
    alike); ``TracedFlask`` is Flask with it, and ``trace_app`` gives it to an
    app made elsewhere."""

    def app_context(self):
        """Create an app context: ``with app.app_context()``, the one a request
        context pushes, and the CLI's all come through here."""
        return TracedAppContext(self)

    def request_context(self, environ):
        """Create the request context for ``environ``: wsgi_app and
        test_request_context both come through here."""
        return TracedRequestContext(self, environ)

    def do_teardown_request(self, exc=_sentinel):
        """Record the ``teardown_request`` callbacks about to run (the request
        is still active), then run them."""
        if _current.get() is not None:
            names = chain(flask.request.blueprints, (None,))
            funcs = [f for n in names for f in self.teardown_request_funcs.get(n, ())]
            if funcs:
                _record("teardown", "request", self, note=_names(tuple(funcs[::-1])))
        super().do_teardown_request(exc)

    def do_teardown_appcontext(self, exc=_sentinel):
        """Record the ``teardown_appcontext`` callbacks about to run, then run them."""
        if self.teardown_appcontext_funcs and _current.get() is not None:
            names = _names(tuple(self.teardown_appcontext_funcs[::-1]))
            _record("teardown", "app", self, note=names)
        super().do_teardown_appcontext(exc)


class TracedFlask(Tracing, flask.Flask):
    """A Flask app whose contexts report themselves."""


def trace_app(app):
    """Make ``app`` (any Flask app) report its contexts, as a TracedFlask does,
    by giving it a class with ``Tracing`` mixed in (for debugging tools)."""
    if not isinstance(app, Tracing):
        app.__class__ = type(f"Traced{type(app).__name__}", (Tracing, type(app)), {})
    return app


class TracedBody:
    """A response body read inside the request's recording: the contexts that
    ``stream_with_context`` pushes again while it is read are in the trace."""

    def __init__(self, body, context):
        self.body, self.context = body, context
        self.iterator = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.iterator is None:
            self.iterator = self.context.run(iter, self.body)
        return self.context.run(next, self.iterator)

    def close(self):
        """Close the body (its generator's cleanup is recorded too)."""
        if hasattr(self.body, "close"):
            self.context.run(self.body.close)


class TraceRequests:
    """WSGI middleware: record each request's trace into its environ."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        with recording() as trace:
            environ[ENVIRON_KEY] = trace
            body = self.wsgi_app(environ, start_response)
            context = copy_context()  # the recording, for reading the body
        return TracedBody(body, context)


def init_app(app):
    """Record each of ``app``'s requests (``TRACE_CONTEXTS``)."""
    app.wsgi_app = TraceRequests(app.wsgi_app)
