"""The admin site, mounted at /admin: every page but the login needs the admin."""

from admin import auth, dashboard, outbox, trace, users
from core import factory

DEFAULTS = {
    # URLs built outside a request (mail, CLI) keep the mount prefix, and the
    # session cookie's path defaults to it.
    "APPLICATION_ROOT": "/admin",
    "SESSION_COOKIE_NAME": "admin_session",
    "ADMIN_USERNAME": "admin",
    # Unset: nobody can log in. `python dispatcher.py serve` makes a password.
    "ADMIN_PASSWORD_HASH": None,
}


def create_app(test_config=None):
    """Build the admin app (environment prefix ``ADMIN_``)."""
    app = factory.create_app(__name__, "ADMIN", DEFAULTS, test_config)
    auth.login_manager.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(trace.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(outbox.bp)
    # Same endpoint name as the frontend's page: url_for("hello") gives
    # /admin/hello here and /hello there.
    app.add_url_rule("/hello", endpoint="hello", view_func=dashboard.hello)
    return app
