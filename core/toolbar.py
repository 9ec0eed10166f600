"""Flask-DebugToolbar for development, with flask-lens's Contexts and Routes
panels. Only ``python dispatcher.py serve --debug`` turns it on (and
imports this module), after it put the apps in debug mode; a WSGI server
never does."""

from flask_debugtoolbar import DebugToolbarExtension
from flask_lens.panels import register_site
from werkzeug.utils import import_string

from core.site import SITE

# The toolbar's default panels (Flask-DebugToolbar 0.16), but its route list,
# which shows one app: flask-lens's Routes panel shows the whole site.
PANELS = [
    *(
        f"flask_debugtoolbar.panels.{panel}"
        for panel in (
            "versions.VersionDebugPanel",
            "timer.TimerDebugPanel",
            "headers.HeaderDebugPanel",
            "request_vars.RequestVarsDebugPanel",
            "config_vars.ConfigVarsDebugPanel",
            "template.TemplateDebugPanel",
            "sqlalchemy.SQLAlchemyDebugPanel",
            "logger.LoggingPanel",
            "profiler.ProfilerDebugPanel",
            "g.GDebugPanel",
        )
    ),
    "flask_lens.panels.ContextsPanel",
    "flask_lens.panels.RoutesPanel",
]

# Some of the toolbar's own panels add views to its one blueprint when first
# imported, which fails once any app has registered that blueprint: import
# them with this module, before serve --debug registers it.
for path in PANELS:
    import_string(path)


def init_app(app):
    """Turn the toolbar on for ``app`` (in debug mode already)."""
    app.config["DEBUG_TB_ENABLED"] = True
    app.config["DEBUG_TB_PANELS"] = PANELS
    # Redirects go through as usual (the login flows stay the same).
    app.config["DEBUG_TB_INTERCEPT_REDIRECTS"] = False
    DebugToolbarExtension(app)
    if SITE in app.extensions:
        register_site(app.extensions[SITE])  # the Routes panel lists it all
