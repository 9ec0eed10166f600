"""The public site: accounts, profiles, and its half of the shared endpoints."""

from core import factory, sender
from core.extensions import mail
from frontend import auth, follow, main, user

DEFAULTS = {
    # Distinct from the admin's cookie, so logging into one app never touches
    # the other's session.
    "SESSION_COOKIE_NAME": "frontend_session",
    # The frontend sends the follower emails: its sender delivers the outbox.
    "MAIL_SENDER": True,
}


def create_app(test_config=None):
    """Build the frontend app (environment prefix ``FRONTEND_``)."""
    app = factory.create_app(__name__, "FRONTEND", DEFAULTS, test_config)
    auth.login_manager.init_app(app)
    mail.init_app(app)
    sender.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(user.bp)
    app.register_blueprint(follow.bp)
    # An endpoint on the app itself has no blueprint prefix: "hello" exists in
    # both apps, and url_for("hello") builds the active app's URL.
    app.add_url_rule("/hello", endpoint="hello", view_func=main.hello)
    return app
