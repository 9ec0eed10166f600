"""Flask-Limiter, set up alike for both apps: who a client is, and limits
read from the app's configuration.

Each app has a ``Limiter`` of its own (Flask-Limiter keeps one storage and
one configuration per instance). Both count in the site's database
(``storage.py``), so a limit holds across gunicorn workers and machines.
``RATELIMIT_ENABLED = False`` (``FLASK_RATELIMIT_ENABLED=false``) turns these
limits off for load tests; the login lockout (``lockout.py``) stays on.
"""

import ipaddress

from flask import current_app, request
from flask_limiter import Limiter
from flask_login import current_user

import core.throttle.storage  # noqa: F401  (registers the database:// storage)


def client():
    """The client's key: its address (the forwarded one behind a trusted
    proxy, see ``FLASK_PROXY_HOPS``); an IPv6 client by its /64, since one
    household or server is usually given a whole /64 to choose from."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account():
    """The logged-in user's key (limits per account exempt anonymous visitors)."""
    return f"user:{current_user.get_id().partition(':')[0]}"


def anonymous():
    """Tell whether nobody is logged in (``exempt_when`` of per-account limits)."""
    return not current_user.is_authenticated


def configured(name):
    """A limit read from the active app's config ``name`` when it applies."""
    return lambda: current_app.config[name]


def new_limiter():
    """A Limiter keyed by client, to bind to one app with ``init_app``."""
    return Limiter(key_func=client)


def init_app(app, limiter):
    """Bind ``limiter`` to ``app``, counting under the app's own key prefix."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.name)
    limiter.init_app(app)
