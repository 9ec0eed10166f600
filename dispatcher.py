"""The combined site: the admin app mounted at /admin over the frontend at /.

    frontend (/)  --links-->  admin (/admin)      one Site, one dispatcher
      "admin", "admin_users"    "home", "profile"

``application`` is the WSGI callable for any WSGI server::

    gunicorn dispatcher:application

and ``python dispatcher.py`` is the site's command line (``commands/``):
``serve`` (the default), ``routes``, ``trace``, ``db upgrade``.
"""

import admin
import frontend
from core.site import Site

# The pages one app links to in the other, by the names their templates use.
LINKS = {
    "home": ("/", "main.index"),
    "profile": ("/", "user.profile"),
    "admin": ("/admin", "dashboard.index"),
    "admin_users": ("/admin", "users.index"),
    "routing": ("/", "routing.index"),
}


def create_site(frontend_config=None, admin_config=None):
    """Mount the admin app at /admin over the frontend app at /."""
    return Site(
        frontend.create_app(frontend_config),
        {"/admin": admin.create_app(admin_config)},
        links=LINKS,
    )


def __getattr__(name):
    """Build ``site`` and ``application`` when a WSGI server first asks.

    Importing this module builds nothing and writes nothing, so the tests
    can import ``create_site`` without reading the environment.
    """
    if name not in ("site", "application"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from core.serving import for_wsgi_server  # noqa: PLC0415 (on first use)

    global site, application
    site = create_site()
    application = for_wsgi_server(site)
    return globals()[name]


if __name__ == "__main__":
    from commands import cli  # noqa: PLC0415

    cli()
