"""The request's lifecycle between its context's push and pop, reported to
the tracer: ``before_request``, the view, the error handlers,
``after_request``, the teardowns.

``trace_app(app)`` gives one Flask app all of it, with the context classes
of ``flask_lens.contexts`` (and ``record_requests`` records each of its
requests, see ``flask_lens.middleware``); an app never given to it runs
Flask's own code.
"""

import flask

from flask_lens._flask import internals
from flask_lens.contexts import TracedAppContext, TracedRequestContext, bound
from flask_lens.middleware import TraceRequests
from flask_lens.tracer import is_recording, names, record

_sentinel = internals()[2]  # Flask's "no argument", as its teardowns take it


class Tracing:
    """What makes a Flask app's contexts report themselves (real and test
    alike); ``trace_app`` gives it to an app."""

    def app_context(self):
        """Create an app context: ``with app.app_context()``, the one a request
        context pushes, and the CLI's all come through here."""
        return TracedAppContext(self)

    def request_context(self, environ):
        """Create the request context for ``environ``: wsgi_app and
        test_request_context both come through here."""
        return TracedRequestContext(self, environ)

    def preprocess_request(self):
        """Record the ``before_request`` callbacks about to run, in Flask's
        order (the app's first, then each blueprint's), run them, then
        record the view Flask dispatches to next, if any.

        The view is recorded here, not in ``dispatch_request``, which an
        extension may replace on the app (the debug toolbar does).
        """
        if is_recording():
            scopes = [None, *reversed(flask.request.blueprints)]
            funcs = [f for n in scopes for f in self.before_request_funcs.get(n, ())]
            if funcs:
                record("before_request", "request", self, bound(), note=names(funcs))
        returned = super().preprocess_request()
        if is_recording():
            _record_view(self, returned)
        return returned

    def handle_user_exception(self, e):
        """Record the exception the error handlers are asked to answer."""
        if is_recording():
            record("error_handler", "request", self, bound(), note=_error(e))
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        """Record an exception no handler answered (a 500)."""
        if is_recording():
            note = f"unhandled {_error(e)}: 500"
            record("error_handler", "request", self, bound(), note=note)
        return super().handle_exception(e)

    def process_response(self, response):
        """Record the ``after_request`` callbacks about to run, in Flask's
        order (each blueprint's, then the app's, last registered first)."""
        if is_recording():
            _record_innermost_first(self, "after_request", self.after_request_funcs)
        return super().process_response(response)

    def do_teardown_request(self, exc=_sentinel):
        """Record the ``teardown_request`` callbacks about to run, in Flask's
        order (the blueprints' first, each scope's last registered first),
        while the request is still active; then run them."""
        if is_recording():
            _record_innermost_first(self, "teardown", self.teardown_request_funcs)
        super().do_teardown_request(exc)

    def do_teardown_appcontext(self, exc=_sentinel):
        """Record the ``teardown_appcontext`` callbacks about to run, then run them."""
        if self.teardown_appcontext_funcs and is_recording():
            callbacks = names(self.teardown_appcontext_funcs[::-1])
            record("teardown", "app", self, bound(), note=callbacks)
        super().do_teardown_appcontext(exc)


def _record_innermost_first(app, action, funcs):
    """Record the request's callbacks of ``funcs`` about to run, in the order
    Flask runs ``after_request`` and ``teardown_request`` ones: each
    blueprint's (the innermost first), then the app's, each scope's last
    registered first."""
    scopes = [*flask.request.blueprints, None]
    run = [f for n in scopes for f in reversed(funcs.get(n, ()))]
    if run:
        record(action, "request", app, bound(), note=names(run))


def _record_view(app, returned):
    """Record what answers the request after its ``before_request``
    callbacks: a callback's response, or the view its URL matched (none
    when Flask raises a 404, 405 or redirect: an error handler's step)."""
    request, rule = flask.request, flask.request.url_rule
    if returned is not None:
        note = "a before_request callback returned a response: no view runs"
        record("before_request", "request", app, bound(), note=note)
    elif request.routing_exception is None and rule is not None:
        if request.method == "OPTIONS" and getattr(
            rule, "provide_automatic_options", False
        ):
            note = "OPTIONS: Flask answers it with the allowed methods, no view runs"
        else:
            view = names((app.view_functions[rule.endpoint],))
            note = f"{rule.endpoint}: {view}"
        record("view", "request", app, bound(), note=note)


def _error(e):
    """An exception as a note: its class, and its status or message."""
    code = getattr(e, "code", None)
    return f"{type(e).__name__} ({code})" if code else f"{type(e).__name__}: {e}"


def trace_app(app: flask.Flask) -> flask.Flask:
    """Make ``app`` report its contexts to any ``recording()``.

    Its class becomes a subclass with ``Tracing`` mixed in (made once per
    class). Calling it again changes nothing.
    """
    if not isinstance(app, Tracing):
        app.__class__ = _traced_class(type(app))
    return app


def record_requests(app: flask.Flask) -> flask.Flask:
    """Trace ``app`` and record each of its requests, streamed body included,
    into ``request.environ[ENVIRON_KEY]`` (``TraceRequests``)."""
    trace_app(app)
    if not isinstance(app.wsgi_app, TraceRequests):
        app.wsgi_app = TraceRequests(app.wsgi_app)
    return app


_classes = {}


def _traced_class(cls):
    if cls not in _classes:
        _classes[cls] = type(f"Traced{cls.__name__}", (Tracing, cls), {})
    return _classes[cls]
