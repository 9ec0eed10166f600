"""The public site: accounts, profiles, and its half of the shared endpoints."""

from core import factory, jobs
from core.extensions import mail
from core.mail import housekeeping, workers
from core.throttle import limiter, storage
from frontend import account, auth, follow, limits, main, notify, routing, user

DEFAULTS = {
    # Distinct from the admin's cookie, so logging into one app never touches
    # the other's session.
    "SESSION_COOKIE_NAME": "frontend_session",
    # The frontend sends the follower emails: its threads deliver the outbox.
    "MAIL_DELIVERY": True,
    # What keeps the follower emails few (frontend/notify.py).
    "NOTIFY_HOURLY_LIMIT": 10,  # follower emails per user and window...
    "NOTIFY_WINDOW_SECONDS": 3600,  # ...of an hour; more wait for a digest
    "NOTIFY_REPEAT_HOURS": 24,  # the same follower is announced once a day
    "DIGEST_CHECK_SECONDS": 60,  # how often the digests due are looked for
    "CONFIRM_MAX_AGE_HOURS": 72,  # a confirmation link works this long
    "CONFIRM_RESEND_SECONDS": 300,  # a new link at most this often
    # Rate limits of the frontend's forms (frontend/limits.py), besides the
    # logins' in core/config.py.
    "RATELIMIT_REGISTER_CLIENT": "10 per hour",  # attempts, made or refused
    "RATELIMIT_RESEND_CLIENT": "10 per hour",  # confirmation links asked for
    "RATELIMIT_RESEND_ACCOUNT": "3 per hour; 6 per day",
    "RATELIMIT_FOLLOW_CLIENT": "60 per minute",  # follows and unfollows
    "RATELIMIT_FOLLOW_ACCOUNT": "30 per minute; 500 per day",
}


def create_app(test_config=None):
    """Build the frontend app (environment prefix ``FRONTEND_``)."""
    app = factory.create_app(__name__, "FRONTEND", DEFAULTS, test_config)
    register_extensions(app)
    register_views(app)
    return app


def register_extensions(app):
    """The frontend's own login manager and rate limits, mail with its
    delivery threads, and its periodic jobs (run by the site's services)."""
    auth.login_manager.init_app(app)
    limiter.init_app(app, limits.limiter)
    mail.init_app(app)
    workers.init_app(app)
    jobs.every(app, app.config["DIGEST_CHECK_SECONDS"], notify.send_due_digests)
    jobs.every(app, 3600, housekeeping.prune_sent_mail)
    jobs.every(app, 60, storage.prune)  # keeps RATELIMIT_MAX_COUNTERS


def register_views(app):
    """The frontend's blueprints, and its ``hello`` on the app itself."""
    factory.register_blueprints(
        app, main.bp, auth.bp, user.bp, follow.bp, account.bp, routing.bp
    )
    # An endpoint on the app itself has no blueprint prefix: "hello" exists in
    # both apps, and url_for("hello") builds the active app's URL.
    app.add_url_rule("/hello", endpoint="hello", view_func=main.hello)
