"""The admin site, mounted at /admin: every page but the login needs the admin."""

from flask_lens.routes import LOGIN_POLICY

from admin import auth, dashboard, outbox, routes, trace, users
from core import factory
from core.throttle import limiter

DEFAULTS = {
    # URLs built outside a request (mail, CLI) keep the mount prefix, and the
    # session cookie's path defaults to it.
    "APPLICATION_ROOT": "/admin",
    "SESSION_COOKIE_NAME": "admin_session",
    "ADMIN_USERNAME": "admin",
    # Unset: nobody can log in. `python dispatcher.py serve` makes a password.
    "ADMIN_PASSWORD_HASH": None,
    "OUTBOX_PAGE_SIZE": 50,
    # Admin pages show users and mail: no browser or proxy may keep them.
    "CACHE_NO_STORE": True,
}


def create_app(test_config=None):
    """Build the admin app (environment prefix ``ADMIN_``).

    In a site (``core.site``) its trace and route pages look through the
    site's other apps, and it links to them; alone, it shows itself only.
    """
    app = factory.create_app(__name__, "ADMIN", DEFAULTS, test_config)
    auth.login_manager.init_app(app)
    limiter.init_app(app, auth.limiter)
    # One hook guards every page: tell the route explorer which need a login.
    app.extensions[LOGIN_POLICY] = auth.needs_login
    register_views(app)
    return app


def register_views(app):
    """The admin's blueprints, and its ``hello`` on the app itself."""
    factory.register_blueprints(
        app, auth.bp, dashboard.bp, trace.bp, routes.bp, users.bp, outbox.bp
    )
    # Same endpoint name as the frontend's page: url_for("hello") gives
    # /admin/hello here and /hello there.
    app.add_url_rule("/hello", endpoint="hello", view_func=dashboard.hello)
