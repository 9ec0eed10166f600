"""The Contexts panel: the contexts of the request being viewed over time,
what the proxies resolved to, and how its URL found its view."""

from flask import current_app, g, request
from flask_debugtoolbar.panels import DebugPanel
from jinja2 import Environment, PackageLoader

from flask_lens import tracer
from flask_lens.diagram import entries, layout, ticks
from flask_lens.routes import view_name

templates = Environment(autoescape=True, loader=PackageLoader("flask_lens"))
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
    macro = templates.get_template("flask_lens/timeline.html").module.timeline
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
        from flask_lens import trace_app  # noqa: PLC0415 (checks Flask's version)

        trace_app(app)
        if not isinstance(app.wsgi_app, CompleteTrace):
            app.wsgi_app = CompleteTrace(app.wsgi_app)

    def nav_title(self):
        return "Contexts"

    def nav_subtitle(self):
        return f"{current_app.name} at {request.script_root or '/'}"

    def title(self):
        # Short: on a phone the toolbar leaves a panel 190 px wide, and a
        # longer title wrapped over the panel's first heading.
        return "Contexts"

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
        return templates.get_template("flask_lens/contexts_panel.html").render(
            proxies=proxies, routing=self.routing, marker=MARKER
        )
