"""Flask-DebugToolbar for development: the site's Contexts and Routes panels.

Another Flask project uses the panels with one setting::

    DEBUG_TB_PANELS = [..., "core.debug.panels.ContextsPanel",
                       "core.debug.panels.RoutesPanel"]

``init_app(app)`` turns the toolbar on for one of this site's apps; only
``python dispatcher.py serve --debug`` calls it, never a WSGI server.
"""

from flask_debugtoolbar import DebugToolbarExtension
from werkzeug.utils import import_string

# The toolbar's default panels (Flask-DebugToolbar 0.16), but its route list,
# which shows one app: our Routes panel shows them all.
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
    "core.debug.panels.ContextsPanel",
    "core.debug.panels.RoutesPanel",
]

# Some of the toolbar's panels add views to its one blueprint when they are
# first imported, which fails once an app has registered that blueprint:
# import them all now, before any app does.
for path in PANELS:
    import_string(path)


def init_app(app):
    """Turn debug mode and the toolbar on for ``app``."""
    app.debug = True
    app.config["DEBUG_TB_ENABLED"] = True
    app.config["DEBUG_TB_PANELS"] = PANELS
    # Redirects go through as usual (the login flows stay the same).
    app.config["DEBUG_TB_INTERCEPT_REDIRECTS"] = False
    DebugToolbarExtension(app)
