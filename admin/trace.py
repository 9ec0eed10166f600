"""Pictures of the context stack over time: a real request, and the nested scenario."""

import contextvars

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.test import EnvironBuilder

from core import nested, tracer
from core.timeline import layout, ticks

bp = Blueprint("trace", __name__)

DEFAULT_PATH = "/hello"
SUBREQUEST = "site.trace_subrequest"  # marks the requests this page sends


def in_fresh_context(func, *args):
    """Call ``func`` in an empty ``contextvars.Context``, as a new thread would.

    Here, inside the admin's own request, the admin's contexts are active:
    a request to the admin would reuse its app context (and its ``g``).
    """
    return contextvars.Context().run(func, *args)


def call_wsgi(app, environ):
    """Call a WSGI app, read and close its body; return the status line."""
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return statuses[-1]


def trace_site_request(site, path):
    """Send GET ``path`` through the combined site, with this request's host and
    cookies (so it sees what you would); return its trace and status line."""
    cookie = request.headers.get("Cookie", "")
    builder = EnvironBuilder(
        path=path, base_url=request.host_url, headers={"Cookie": cookie}
    )
    environ = {**builder.get_environ(), SUBREQUEST: True}
    status = in_fresh_context(call_wsgi, site, environ)
    return environ.get(tracer.ENVIRON_KEY), status


@bp.get("/trace")
def index():
    """Draw the trace of GET ``?path=`` through the site and of the scenario."""
    if request.environ.get(SUBREQUEST):
        abort(400, description="This page cannot trace itself.")
    path = request.args.get("path", "").strip() or DEFAULT_PATH
    if not path.startswith("/"):
        abort(400, description="The path must start with '/', like /hello.")
    # Set by dispatcher.create_application: the site this admin is mounted in.
    site = current_app.extensions["site"]
    site_trace, status = trace_site_request(site, path)
    admin = current_app._get_current_object()
    scenario = in_fresh_context(nested.run, site.app, admin, None)
    pictures = [
        (f"GET {path} through the combined site: {status}", site_trace),
        ("The nested scenario of python dispatcher.py trace", scenario),
    ]
    drawn = [
        (title, trace.events, ticks(trace.events), *layout(trace.events))
        for title, trace in pictures
    ]
    return render_template("admin/trace/index.html", path=path, pictures=drawn)
