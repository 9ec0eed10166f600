"""Pictures of the context stack over time: a real request, and the nested scenario."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_lens import ENVIRON_KEY, Trace, resolve, scenario
from flask_lens.diagram import entries, layout, ticks
from flask_lens.handoff import in_fresh_context
from werkzeug.test import EnvironBuilder

from core import links
from core.asked import asked

bp = Blueprint("trace", __name__)

SUBREQUEST = "site.trace_subrequest"  # marks the requests this page sends


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


def trace_site_request(site, path, method="GET"):
    """Send ``method path`` through the site, with this request's host and
    cookies (so it sees what you would; a POST carries no CSRF token, so it
    changes nothing); return its trace and status line."""
    cookie = request.headers.get("Cookie", "")
    builder = EnvironBuilder(
        path=path, method=method, base_url=request.host_url, headers={"Cookie": cookie}
    )
    environ = {**builder.get_environ(), SUBREQUEST: True}
    # Inside the admin's own request the admin's contexts are active: a
    # request to the admin would reuse its app context (and its ``g``).
    status = in_fresh_context(call_wsgi, site, environ)
    # No traced app saw the request (the admin alone, a path outside it): an
    # empty trace is the truth.
    return environ.get(ENVIRON_KEY) or Trace(), status


@bp.get("/trace")
def index():
    """Draw the trace of GET ``?path=`` through the site and of the scenario."""
    if request.environ.get(SUBREQUEST):
        abort(400, description="This page cannot trace itself.")
    root_app = links.site_apps().get("")
    # By default the site's /hello, or the admin's when it runs alone.
    form = asked("/hello" if root_app else f"{request.script_root}/hello")
    pictures, routing = traces(form, root_app)
    apps = [app.name for app in links.site_apps().values()]  # each its color
    drawn = [
        (title, folded, entries(trace), ticks(trace.events))
        + layout(trace.events, apps)
        for title, trace, folded in pictures
    ]
    page = render_template(
        "admin/trace/index.html",
        form=form,
        pictures=drawn,
        routing=routing,
        examples=links.linking_examples("profile", nickname="alice"),
        alone=root_app is None,
    )
    return page, 400 if form.problem else 200


def traces(form, root_app):
    """The (title, trace, folded) pictures of the page, and the routing of
    the asked path (None if none was asked)."""
    pictures, routing = [], None
    if form.path is not None:
        site = links.site_wsgi()
        site_trace, status = trace_site_request(site, form.path, form.method)
        routing = resolve(site, form.path, form.method, base_url=links.base_url())
        title = f"{form.method} {form.path} through the combined site: {status}"
        pictures.append((title, site_trace, False))
    if root_app is not None:  # the scenario needs a second app
        admin = current_app._get_current_object()
        scenario_trace = in_fresh_context(scenario.run, root_app, admin, None)
        title = "The nested scenario of python dispatcher.py trace"
        pictures.append((title, scenario_trace, True))  # the same for any path
    return pictures, routing
