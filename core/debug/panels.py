"""Two Flask-DebugToolbar panels: the contexts of the request being viewed,
with how its URL found its view; and the routes of every app of the site.

They need nothing but their line in ``DEBUG_TB_PANELS``. The Contexts panel
makes the app trace its contexts (``tracer.trace_app``) and wraps its
``wsgi_app`` once, so that the timeline, drawn after Flask popped the
request's contexts, shows the pops and the teardowns too.
"""

import gc

from flask import current_app, g, request
from flask_debugtoolbar.panels import DebugPanel
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from core.config import ROOT
from core.contexts import tracer
from core.contexts.diagram import entries, layout, ticks
from core.routing import links
from core.routing.table import mounted_apps, routes, view_name

# The panels' own templates, and the project's (the timeline macro).
templates = Environment(
    autoescape=True,
    loader=ChoiceLoader(
        [PackageLoader("core.debug", "templates"), FileSystemLoader(ROOT / "templates")]
    ),
)
PENDING = "X-Contexts-Panel"  # on a page whose panel awaits its timeline
MARKER = "<!-- contexts-panel: the timeline goes here -->"


class CompleteTrace:
    """WSGI middleware: record each request; on a page whose Contexts panel
    is pending, draw the complete timeline in its place, after the pops."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        answer = []

        def later(status, headers, exc_info=None):
            answer[:] = [status, headers, exc_info]

        with tracer.recording() as own:
            body = self.wsgi_app(environ, later)
        status, headers, exc_info = answer
        if not any(name == PENDING for name, _ in headers):
            start_response(status, headers, exc_info)
            return body
        # The app's own recording, if it makes one (TraceRequests), else ours.
        trace = environ.get(tracer.ENVIRON_KEY) or own
        try:
            page = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        page = page.replace(MARKER.encode(), draw(trace).encode(), 1)
        headers = [(n, v) for n, v in headers if n not in (PENDING, "Content-Length")]
        start_response(status, [*headers, ("Content-Length", str(len(page)))], exc_info)
        return [page]


def draw(trace):
    """The timeline of ``trace``, as the admin's trace page draws it."""
    bars, width, height = layout(trace.events)
    macro = templates.get_template("_timeline.html").module.timeline
    title = "The contexts of this request"
    return str(macro(title, entries(trace), ticks(trace.events), bars, width, height))


class ContextsPanel(DebugPanel):
    """The contexts of this request over time, what the proxies resolved to,
    and how its URL found its view."""

    name = "Contexts"
    has_content = True

    @classmethod
    def init_app(cls, app):
        """Trace ``app``'s contexts, and let the panel draw after the pops."""
        tracer.trace_app(app)
        if not isinstance(app.wsgi_app, CompleteTrace):
            app.wsgi_app = CompleteTrace(app.wsgi_app)

    def nav_title(self):
        return "Contexts"

    def nav_subtitle(self):
        return f"{current_app.name} at {request.script_root or '/'}"

    def title(self):
        return "The contexts of this request, and how its URL found its view"

    def url(self):
        return ""

    def process_request(self, request):
        """Note how the request was routed (the panel draws it later)."""
        view = current_app.view_functions.get(request.endpoint)
        self.routing = {
            "SCRIPT_NAME (the mount)": repr(request.environ.get("SCRIPT_NAME", "")),
            "PATH_INFO": repr(request.environ.get("PATH_INFO", "")),
            "matched rule": request.url_rule.rule if request.url_rule else None,
            "endpoint": request.endpoint,
            "view function": view_name(view) if view else None,
        }

    def process_response(self, request, response):
        """Ask CompleteTrace to draw the timeline once the contexts are popped."""
        response.headers[PENDING] = "1"

    def content(self):
        proxies = {
            "current_app": current_app.name,
            "g": repr({k: v for k, v in vars(g).items() if k != "debug_toolbar"}),
            "request.script_root": repr(request.script_root),
            "request.path": request.path,
        }
        return templates.get_template("contexts_panel.html").render(
            proxies=proxies, routing=self.routing, marker=MARKER
        )


def site_of(app):
    """The site ``app`` is part of: this project's mounts, else the outermost
    DispatcherMiddleware in the process that reaches ``app``, else ``app``."""
    if links.MOUNTS in app.extensions:
        return links.site_wsgi(app)
    if "core.debug.site" not in app.extensions:  # the search runs once per app
        app.extensions["core.debug.site"] = _outermost_dispatcher(app)
    return app.extensions["core.debug.site"]


def _outermost_dispatcher(app):
    """The outermost DispatcherMiddleware in the process reaching ``app``."""
    reaching = [
        d
        for d in gc.get_objects()
        if isinstance(d, DispatcherMiddleware)
        and any(found is app for _, found in mounted_apps(d))
    ]
    inner = {id(m) for d in reaching for m in [d.app, *d.mounts.values()]}
    outermost = [d for d in reaching if id(d) not in inner]
    return outermost[0] if outermost else app


class RoutesPanel(DebugPanel):
    """Every route of every app of the site, not only this app's."""

    name = "Routes"
    has_content = True

    def nav_title(self):
        return "Routes"

    def nav_subtitle(self):
        return f"{len(self.routes)} in {len({r.app for r in self.routes})} apps"

    def title(self):
        return "Every route of the site"

    def url(self):
        return ""

    def process_request(self, request):
        app = current_app._get_current_object()
        self.routes = [
            r for r in routes(site_of(app)) if "/_debug_toolbar/" not in r.path
        ]

    def content(self):
        return templates.get_template("routes_panel.html").render(routes=self.routes)
