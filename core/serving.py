"""The site as a server serves it: prepared, and behind its proxies."""

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from core.prepare import prepare


def proxy_hops():
    """How many proxies stand before the site (``FLASK_PROXY_HOPS``, 0)."""
    return int(os.environ.get("FLASK_PROXY_HOPS", "0"))


def behind_proxies(site, hops):
    """The site as served behind ``hops`` proxies that set X-Forwarded-*.

    ProxyFix wraps the whole dispatcher, never one app: around the admin it
    would overwrite the SCRIPT_NAME that mounts it. Without proxies (0, the
    default) those headers are anyone's and are ignored.
    """
    if not hops:
        return site
    return ProxyFix(site, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def served(site, debug=False):
    """Prepare ``site`` (keys, database), set debug mode on every app, and
    return it wrapped for its proxies."""
    prepare(site.apps.values())
    for app in site.apps.values():
        app.debug = debug
    return behind_proxies(site, proxy_hops())


class StartsServices:
    """WSGI middleware: the site's services start with the first request of
    each process, so that any WSGI server delivers mail (gunicorn's hook
    starts them sooner, as soon as a worker has loaded the site)."""

    def __init__(self, app, services):
        self.app, self.services = app, services

    def __call__(self, environ, start_response):
        if not self.services.running:
            self.services.start()
        return self.app(environ, start_response)


def for_wsgi_server(site):
    """The site for a WSGI server: it serves the world, so no debug mode,
    whatever FLASK_DEBUG says (errors reach the app's own page, never the
    server's); and its services start with the first request."""
    return StartsServices(served(site, debug=False), site.services)
