"""flask-lens: see inside a Flask site.

- ``routes(wsgi)``: every route of every Flask app a WSGI callable reaches,
  through dispatchers and middleware, with the prefix a browser requests.
- ``resolve(wsgi, path, method)``: how one path finds its view, mount by mount.
- ``trace_app(app)`` and ``recording()``: every push and pop of app and
  request contexts, with the teardowns between them, in the order they
  happen (Flask 3.1).
- ``flask_lens.panels``: two Flask-DebugToolbar panels that show them
  (``pip install flask-lens[toolbar]``).

Importing flask-lens changes nothing: only what is asked for is traced.
"""

from flask_lens._flask import UnsupportedFlask, require_known
from flask_lens.reach import Reach, reach
from flask_lens.resolve import Resolution, resolve
from flask_lens.routes import Route, format_table, route_rows, routes
from flask_lens.tracer import ENVIRON_KEY, Event, Trace, recording

__version__ = "0.1.0"

__all__ = [
    "ENVIRON_KEY",
    "Event",
    "Reach",
    "Resolution",
    "Route",
    "Trace",
    "UnsupportedFlask",
    "format_table",
    "reach",
    "recording",
    "resolve",
    "route_rows",
    "routes",
    "record_requests",
    "trace_app",
]


def trace_app(app):
    """Make ``app`` report its contexts to any ``recording()``.

    Raises ``UnsupportedFlask`` on a Flask whose contexts flask-lens does not
    know (``flask_lens._flask``).
    """
    require_known()
    from flask_lens import lifecycle  # noqa: PLC0415 (only on a known Flask)

    return lifecycle.trace_app(app)


def record_requests(app):
    """Trace ``app`` and keep each request's trace in its environ, under
    ``ENVIRON_KEY`` (raises ``UnsupportedFlask`` as ``trace_app`` does)."""
    require_known()
    from flask_lens import lifecycle  # noqa: PLC0415 (only on a known Flask)

    return lifecycle.record_requests(app)
