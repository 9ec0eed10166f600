"""The public site: accounts, profiles, and its half of the shared endpoints."""

from core import factory
from frontend import auth, main, user

DEFAULTS = {
    # Distinct from the admin's cookie, so logging into one app never touches
    # the other's session.
    "SESSION_COOKIE_NAME": "frontend_session",
}


def create_app(test_config=None):
    """Build the frontend app (environment prefix ``FRONTEND_``)."""
    app = factory.create_app(__name__, "FRONTEND", DEFAULTS, test_config)
    auth.login_manager.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(user.bp)
    # An endpoint on the app itself has no blueprint prefix: "hello" exists in
    # both apps, and url_for("hello") builds the active app's URL.
    app.add_url_rule("/hello", endpoint="hello", view_func=main.hello)
    return app
