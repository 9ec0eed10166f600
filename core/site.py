"""The site: which apps it mounts where, how they link, what runs beside them.

    site = Site(frontend_app, {"/admin": admin_app},
                links={"admin": ("/admin", "dashboard.index")})
    gunicorn serves site (a DispatcherMiddleware); serve and gunicorn's hooks
    call site.services.start() and .stop()

Every app of the site finds it as ``current_site()``: the route and trace
pages walk it, and a template links to another app by a name the site gives
(``site_url("admin")``, see ``core.links``), never by that app's endpoint.
"""

from flask import current_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from core.mail.outbox import WAKE
from core.services import Services

SITE = "site"  # where each app keeps its site, in app.extensions


class Site(DispatcherMiddleware):
    """Werkzeug's dispatcher of the site's apps, and what they share.

    ``root`` serves every path no mount claims; ``mounts`` are the other
    apps by prefix; ``links`` name the pages one app links to in another
    (``{name: (mount, endpoint)}``).
    """

    def __init__(self, root, mounts, links=None):
        super().__init__(root, mounts)
        # The apps by mount path ("" for the root): fixed once mounted.
        self.apps = {"": root, **{m.rstrip("/"): a for m, a in mounts.items()}}
        self.links = dict(links or {})
        self.services = Services(self.apps.values())
        for app in self.apps.values():
            app.extensions[SITE] = self
            app.extensions[WAKE] = self.services.wake  # mail written in any app

    def link(self, name):
        """(the app, its mount, the endpoint) that link ``name`` leads to;
        None if this site has no such link or no app at its mount."""
        if name not in self.links:
            return None
        mount, endpoint = self.links[name]
        app = self.apps.get(mount.rstrip("/"))
        return None if app is None else (app, mount.rstrip("/"), endpoint)


def current_site():
    """The site of the active app (None for an app built alone)."""
    return current_app.extensions.get(SITE)


def current_link(name):
    """(app, mount, endpoint) of the active site's link ``name``; None if the
    app is alone or its site has no such link."""
    site = current_site()
    return site.link(name) if site is not None else None
