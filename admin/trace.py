"""Pictures of the context stack over time: a real request, and the nested scenario."""

import contextvars
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import EnvironBuilder

from core.contexts import scenario, tracer
from core.contexts.diagram import entries, layout, ticks
from core.redirects import is_local_url

bp = Blueprint("trace", __name__)

SUBREQUEST = "site.trace_subrequest"  # marks the requests this page sends


@dataclass(frozen=True)
class Site:
    """What the trace page sends requests through, and the app at its root."""

    wsgi: object
    root_app: object  # the Flask app mounted at "/", or None


def init_app(app, mounts=None):
    """Give ``app``'s trace page the site: ``mounts`` joined by ``app`` itself.

    ``app`` takes its place at its ``APPLICATION_ROOT``; the app mounted at
    "/" (if any) answers every other path, as in ``dispatcher.py``.
    """
    others = dict(mounts or {})
    root_app = others.pop("/", None)
    prefix = app.config["APPLICATION_ROOT"].rstrip("/")
    wsgi = DispatcherMiddleware(root_app or NotFound(), {**others, prefix: app})
    app.extensions["trace_site"] = Site(wsgi, root_app)


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
    """Send GET ``path`` through the site, with this request's host and cookies
    (so it sees what you would); return its trace and status line."""
    cookie = request.headers.get("Cookie", "")
    builder = EnvironBuilder(
        path=path, base_url=request.host_url, headers={"Cookie": cookie}
    )
    environ = {**builder.get_environ(), SUBREQUEST: True}
    status = in_fresh_context(call_wsgi, site.wsgi, environ)
    # No traced app saw the request (the admin alone, a path outside it): an
    # empty trace is the truth.
    return environ.get(tracer.ENVIRON_KEY) or tracer.Trace(), status


def requested_path(site):
    """The ``?path=`` to trace: by default the site's ``/hello``, or the admin's."""
    default = "/hello" if site.root_app is not None else f"{request.script_root}/hello"
    path = request.args.get("path", "").strip() or default
    if not is_local_url(path):  # "//host", "//[", control characters...
        abort(400, description="The path must be a path on this site, like /hello.")
    return path


@bp.get("/trace")
def index():
    """Draw the trace of GET ``?path=`` through the site and of the scenario."""
    if request.environ.get(SUBREQUEST):
        abort(400, description="This page cannot trace itself.")
    site = current_app.extensions["trace_site"]
    path = requested_path(site)
    site_trace, status = trace_site_request(site, path)
    pictures = [(f"GET {path} through the combined site: {status}", site_trace)]
    if site.root_app is not None:  # the scenario needs a second app
        admin = current_app._get_current_object()
        scenario_trace = in_fresh_context(scenario.run, site.root_app, admin, None)
        pictures.append(
            ("The nested scenario of python dispatcher.py trace", scenario_trace)
        )
    drawn = [
        (title, entries(trace), ticks(trace.events), *layout(trace.events))
        for title, trace in pictures
    ]
    alone = site.root_app is None
    return render_template(
        "admin/trace/index.html", path=path, pictures=drawn, alone=alone
    )
