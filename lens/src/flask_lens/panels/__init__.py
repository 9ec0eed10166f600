"""Two Flask-DebugToolbar panels: the contexts of the request being viewed,
with how its URL found its view; and the routes of every app of the site.

    DEBUG_TB_PANELS = [..., "flask_lens.panels.ContextsPanel",
                       "flask_lens.panels.RoutesPanel"]

They need Flask and Flask-DebugToolbar (``pip install flask-lens[toolbar]``);
importing this module registers nothing. The Contexts panel traces the app
it is shown on (``trace_app``) and wraps its ``wsgi_app`` once, so that the
timeline, drawn after Flask popped the request's contexts, shows the pops
and the teardowns too. The Routes panel lists what ``flask-lens routes``
lists for the site the app belongs to: ``register_site(application)`` says
which that is; without it the panel looks once for the outermost
``DispatcherMiddleware`` that reaches the app.
"""

from flask_lens.panels.contexts import ContextsPanel
from flask_lens.panels.routes import RoutesPanel, register_site

__all__ = ["ContextsPanel", "RoutesPanel", "register_site"]
