"""Record every push and pop of app and request contexts, and every teardown,
in the order they really happen.

    trace_app(app)  # once: app's contexts report themselves
    with recording() as trace:
        with app.test_request_context("/hello"):
            ...
    trace.events  # push app, push request, teardown request, pop request,
                  # teardown app, pop app

Only apps given to ``trace_app`` report (flask_lens.lifecycle); any other app
runs plain Flask. An event's depth is how many contexts Flask has bound in
that task, read from Flask's own context variables, so it holds after pops
in the wrong order and when recording starts inside an open context. The
trace lives in a context variable: a thread starts without it (its pushes
are not recorded), and an asyncio task starts with a copy of its creator's,
so its events join the creator's trace at its own depth.

Left out by design: a teardown with no callbacks (nothing runs), and
contexts pushed in other threads or greenlets.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

ENVIRON_KEY = "flask_lens.trace"  # where TraceRequests leaves each request's trace
URL_KEY = "flask_lens.url"  # a request's URL, built once for its events
PATH_SAFE = "/:@!$&'()*+,;=~"  # what a URL's path keeps as it is (RFC 3986)


class Event(NamedTuple):
    """One push, pop or teardown: of which kind of context, of which app, how
    deep. (A named tuple: made several times per request, it must be cheap.)"""

    action: str  # "push", "pop" or "teardown"
    kind: str  # "app" or "request"
    app: str
    depth: int  # contexts bound in this task: after a push, before a pop
    ms: float  # milliseconds since the trace began
    url: str | None = None  # a request context's URL, as its app sees it
    note: str | None = None  # the step's callbacks or view; what went wrong

    @property
    def step(self):
        """What an event that is no push or pop is called: the callbacks'
        kind (``teardown_request``, ``before_request``...), or ``view``."""
        if self.action == "teardown":
            return f"teardown_{'request' if self.kind == 'request' else 'appcontext'}"
        return self.action


@dataclass
class Trace:
    """The events of one recording."""

    listener: object = None  # called with each Event as it happens
    events: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    # (number of events before it, text): the steps and remarks of a
    # narrated trace (the nested scenario), shown between its events.
    marks: list = field(default_factory=list)

    def record(self, action, kind, app, depth, url=None, note=None):
        """Append an event (and tell the listener)."""
        ms = round((time.perf_counter() - self.started) * 1000, 3)
        event = Event(action, kind, app, depth, ms, url, note)
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)

    def as_json(self):
        """The events as a list of dicts."""
        return [event._asdict() for event in self.events]


_current = ContextVar("context_trace", default=None)


@contextmanager
def recording(listener=None):
    """Record the pushes, pops and teardowns of this thread or task (and of
    the tasks it starts) inside the block."""
    token = _current.set(trace := Trace(listener=listener))
    try:
        yield trace
    finally:
        _current.reset(token)


def is_recording() -> bool:
    """Tell whether this thread or task is recording."""
    return _current.get() is not None


def record(action, kind, app, depth, request=None, note=None):
    """Record an event of ``app`` at ``depth`` in this task's trace, if it
    records."""
    trace = _current.get()
    if trace is not None:  # the request's URL is built only when recording
        trace.record(action, kind, app.name, depth, _url(request), note)


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


def failure(prefix, error):
    """``error``, as a note: ``prefix``, its class and its message."""
    return f"{prefix}{type(error).__name__}: {error}"


def names(callbacks):
    """The names of ``callbacks``, as a step's note; a
    ``functools.partial`` by the function it calls.

    Not cached: a cache keyed by the callbacks kept them, and through them
    their apps, alive (every app a test suite built). Naming them takes a
    microsecond.
    """
    return ", ".join(_name(getattr(f, "func", f)) for f in callbacks)


def _name(function):
    return getattr(function, "__qualname__", None) or repr(function)
