"""Every private name of Flask that flask-lens uses, and the versions it knows.

The tracer gives an app context classes that record their push and pop. For
the request context that means a copy of Flask's own ``RequestContext.pop``
(to record the pop where it happens, between the request's teardown and the
app context's pop), which needs names Flask does not export: the two context
variables (also read for each event's depth) and the "no argument" sentinel.
Flask 3.1 has them. Flask 3.2 merges the request context into the app
context (one context, one context variable): there the tracer refuses to
start, naming the versions it knows, instead of recording what Flask no
longer does. The route table and the resolver use no private name and work
on both.
"""

from importlib.metadata import version

KNOWN = ("3.1",)  # Flask minor versions whose contexts the tracer records


class UnsupportedFlask(RuntimeError):
    """The installed Flask has contexts the tracer does not know."""


def flask_version() -> str:
    """The installed Flask's version."""
    return version("flask")


def require_known():
    """Raise ``UnsupportedFlask`` unless Flask's minor version is in KNOWN."""
    installed = flask_version()
    if ".".join(installed.split(".")[:2]) not in KNOWN:
        raise UnsupportedFlask(
            f"flask-lens traces the contexts of Flask {', '.join(KNOWN)} only; "
            f"this is Flask {installed}, whose contexts differ (the route "
            "table and the resolver work on it; tracing does not)"
        )


def internals():
    """(app and request context variables, Flask's sentinel), for a known
    Flask only."""
    require_known()
    from flask.ctx import _sentinel  # noqa: PLC0415 (private, checked above)
    from flask.globals import _cv_app, _cv_request  # noqa: PLC0415

    return _cv_app, _cv_request, _sentinel
