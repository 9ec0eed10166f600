"""The Routes panel: every route of the site the app belongs to."""

import gc

from flask import current_app
from flask_debugtoolbar.panels import DebugPanel
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from flask_lens.panels.contexts import templates
from flask_lens.reach import reach
from flask_lens.routes import routes

SITE = "flask_lens.site"  # an app's extensions key: the site it is part of


def register_site(wsgi):
    """Tell every Flask app under ``wsgi`` that ``wsgi`` is its site, so that
    the Routes panel on any of them lists the whole site."""
    for _, app in reach(wsgi).apps:
        app.extensions[SITE] = wsgi
    return wsgi


def site_of(app):
    """The site ``app`` was registered with; else the outermost
    DispatcherMiddleware of the process that reaches ``app`` (looked for
    once), else ``app`` itself."""
    if SITE not in app.extensions:
        app.extensions[SITE] = _outermost_dispatcher(app)
    return app.extensions[SITE]


def _outermost_dispatcher(app):
    """The outermost DispatcherMiddleware in the process reaching ``app``: what
    lets the panel work with its one DEBUG_TB_PANELS line on any site."""
    reaching = [
        d
        for d in gc.get_objects()
        if isinstance(d, DispatcherMiddleware)
        and any(found is app for _, found in reach(d).apps)
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
        self.routes = routes(site_of(current_app._get_current_object()))

    def content(self):
        page = templates.get_template("flask_lens/routes_panel.html")
        return page.render(routes=self.routes)
