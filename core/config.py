"""Configuration layering shared by both apps (their keys: ``core.keys``).

Each app reads, in order: the development defaults below and its own, the
environment variables ``FLASK_*`` (both apps), then ``FRONTEND_*`` or
``ADMIN_*`` (one app), and last the ``test_config`` passed to its factory.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Config

from core.keys import secret_key_file

ROOT = Path(__file__).resolve().parent.parent


def instance_path():
    """Where keys, the database and the dev mailbox live (``FLASK_INSTANCE_PATH``)."""
    return os.environ.get("FLASK_INSTANCE_PATH") or str(ROOT / "instance")


DEFAULTS = {
    # Record context pushes and pops (the /context and trace pages show them).
    "TRACE_CONTEXTS": True,
    "SESSION_COOKIE_HTTPONLY": True,
    # Where the site is reached from outside: the links in emails lead there.
    # `serve` sets it to its own address; set FLASK_PUBLIC_URL in production.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Mail goes to the development SMTP server that `serve` starts, unless
    # FLASK_MAIL_SERVER points elsewhere.
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 8025,
    "MAIL_DEFAULT_SENDER": "Flask Site <noreply@localhost>",
    # Seconds for connecting and for each SMTP command, and for the server's
    # reply after the message body (RFC 5321 4.5.3.2.6 gives it 10 minutes).
    "MAIL_TIMEOUT": 30,
    "MAIL_DATA_TIMEOUT": 600,
    # Flask-Mail would default this to TESTING and then report mail it never
    # sent as sent; the outbox must only mark what really went out.
    "MAIL_SUPPRESS_SEND": False,
    # The outbox delivery threads (core/mail/workers.py); apps that send mail
    # turn them on.
    "MAIL_DELIVERY": False,
    "MAIL_DELIVERY_THREADS": 8,
    "MAIL_POLL_SECONDS": 5.0,
    "MAIL_BATCH_SIZE": 10,
    # A claim lasts this long; the process renews its claims every third of
    # it while it lives, so a dead sender's messages go to another sender
    # within a lease (core/mail/workers.py).
    "MAIL_LEASE_SECONDS": 60,
    "MAIL_RETRY_SECONDS": 30.0,  # the first retry; then doubling...
    "MAIL_RETRY_MAX_SECONDS": 1800.0,  # ...up to this
    "MAIL_GIVE_UP_HOURS": 48,  # temporary failures end as failed after this
    "MAIL_MAX_TAKEOVERS": 3,  # senders that died holding it: then it fails
    "MAIL_KEEP_SENT_DAYS": 30,  # sent mail is pruned after this; failed stays
    "SESSION_COOKIE_SAMESITE": "Lax",
    # How long a writer waits for SQLite's write lock, in seconds.
    "SQLITE_BUSY_TIMEOUT": 10,
    # werkzeug's generate_password_hash method: scrypt, slow on purpose. The
    # tests choose a cheap one; a hash keeps its method, so both check.
    "PASSWORD_HASH_METHOD": "scrypt",
    # The site's forms are a few hundred bytes: a larger body gets 413, from
    # its Content-Length when something reads it, or, chunked, from its
    # length (core/body_limit.py).
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Host headers answered (Flask's check; any other gets 400). A deployment
    # sets FLASK_TRUSTED_HOSTS='["site.example.com"]'. (Werkzeug 3.1 cannot
    # match an IPv6 literal such as [::1] here.)
    "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
    # "Cache-Control: no-store" on every response (the admin's pages).
    "CACHE_NO_STORE": False,
    # Rate limits per client (Flask-Limiter), counted in the database so that
    # every worker and machine shares them; a 429 says when to come back.
    # FLASK_RATELIMIT_ENABLED=false turns them off (load tests).
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "database://",
    # A storage that fails (Redis away, the database locked) is replaced by
    # counters in each process's memory until it answers again, rather than
    # failing every page; a Redis that does not answer is given up on in 1 s.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_LOGIN_CLIENT": "10 per minute; 30 per hour",  # failed logins
    # The counters kept at most (about 200 bytes each); past it, a job each
    # minute drops those with the fewest hits (core/throttle/storage.py).
    "RATELIMIT_MAX_COUNTERS": 100_000,
    # Failed logins per account before it is locked until the window ends,
    # whatever the client: always on (core/throttle/lockout.py).
    "LOGIN_LOCKOUT": "10 per 15 minutes",
}


# Settings that are strings whatever they look like: from_prefixed_env parses
# values as JSON, so a password 123456 would become the number 123456.
STRINGS = (
    "SECRET_KEY",
    "ADMIN_USERNAME",
    "ADMIN_PASSWORD_HASH",
    "DATABASE",
    "DATABASE_URL",
    "SERVER_NAME",
    "PUBLIC_URL",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
)


def keep_strings(app, prefixes):
    """Set the string settings from their raw environment values, in order."""
    for prefix in prefixes:
        for key in STRINGS:
            value = os.environ.get(f"{prefix}_{key}")
            if value is not None:
                app.config[key] = value


def from_environment(env_prefix, defaults):
    """The settings an app of ``env_prefix`` reads from the environment, over
    ``defaults``: for code that runs before any app exists (gunicorn.conf.py)."""
    config = Config(ROOT, {**DEFAULTS, **defaults})
    config.from_prefixed_env("FLASK")
    config.from_prefixed_env(env_prefix)
    return config


def configure(app, env_prefix, defaults, test_config=None):
    """Load the defaults, the environment and the test config into ``app``."""
    for shared in ("FLASK_SECRET_KEY", "FLASK_SECRET_KEY_FALLBACKS"):
        if shared in os.environ:
            app_key = shared.replace("FLASK_", "")
            raise RuntimeError(
                f"{shared} would give both apps one key, so a session of one "
                f"would be accepted by the other: set FRONTEND_{app_key} and "
                f"ADMIN_{app_key} instead."
            )
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(defaults)
    app.config.from_prefixed_env("FLASK")
    app.config.from_prefixed_env(env_prefix)
    keep_strings(app, ("FLASK", env_prefix))
    if test_config:
        app.config.from_mapping(test_config)
    trust_public_host(app.config)
    if not app.config.get("SECRET_KEY"):
        # Made by core.prepare before serving; building an app writes nothing.
        key_file = secret_key_file(app)
        if key_file.exists():
            app.config["SECRET_KEY"] = key_file.read_text().strip()


def trust_public_host(config):
    """Answer ``PUBLIC_URL``'s host too, if ``TRUSTED_HOSTS`` checks hosts.

    It is the site's own name, and each email is rendered in a request
    context at ``PUBLIC_URL`` (core/mail/compose.py): behind a proxy that
    sends its own Host (127.0.0.1), a list without it made Flask refuse that
    context's URLs, a 500 on every page that writes an email.
    """
    host = urlsplit(config["PUBLIC_URL"]).hostname
    if config["TRUSTED_HOSTS"] and host and host not in config["TRUSTED_HOSTS"]:
        config["TRUSTED_HOSTS"] = [*config["TRUSTED_HOSTS"], host]
