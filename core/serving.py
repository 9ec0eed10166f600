"""The site as a server serves it: prepared, and behind its proxies."""

import gc
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from core.prepare import prepare

HEADERS = ("for", "proto", "host", "port", "prefix")  # X-Forwarded-<name>
TRUSTED = ("for", "proto")


def proxy_hops():
    """How many proxies stand before the site (``FLASK_PROXY_HOPS``, 0)."""
    return int(os.environ.get("FLASK_PROXY_HOPS", "0"))


def proxy_headers():
    """The X-Forwarded-* headers the proxies overwrite, by name
    (``FLASK_PROXY_HEADERS``, ``for,proto``); refuse an unknown name."""
    text = os.environ.get("FLASK_PROXY_HEADERS", ",".join(TRUSTED))
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(HEADERS))
    if unknown:
        raise ValueError(
            f"FLASK_PROXY_HEADERS names {', '.join(unknown)}: "
            f"choose among {', '.join(HEADERS)}"
        )
    return names


def behind_proxies(site, hops, headers=TRUSTED):
    """The site as served behind ``hops`` proxies that overwrite the
    X-Forwarded-``headers`` (for, proto, host, port, prefix).

    Only those are read: a proxy passes on any header it does not set, so
    trusting X-Forwarded-Prefix that no proxy overwrites let a client (and
    a shared cache) move every link and redirect to ``//evil.com``.
    ProxyFix wraps the whole dispatcher, never one app: around the admin it
    would overwrite the SCRIPT_NAME that mounts it. Without proxies (0, the
    default) those headers are anyone's and are ignored.
    """
    if not hops:
        return site
    counts = {f"x_{name}": hops for name in headers}
    return ProxyFix(LocalPrefix(site), **counts)


class LocalPrefix:
    """WSGI middleware: a prefix (SCRIPT_NAME) that a browser would read as
    another host (``//evil.com``, ``/\\evil.com``) keeps one slash, so no
    link or ``Location`` starts with two."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        prefix = environ.get("SCRIPT_NAME", "")
        if prefix[:2].replace("\\", "/") == "//":
            environ["SCRIPT_NAME"] = "/" + prefix.lstrip("/\\")
        return self.app(environ, start_response)


def settle():
    """Keep everything the process has built so far (the code, the site) out
    of the garbage collector's full passes, for the rest of its life.

    A full pass walked all of it, with the whole process stopped: 100 to
    130 ms, and when it fell inside a claim, SQLite's write lock was held
    that long, so a follow's email came 120 ms late (figure 5d) and a page
    waited for the lock (5a). What a server builds at start lives as long
    as the process anyway. Called by what runs a server process, once it is
    built: never in a process that builds sites and drops them (the tests).
    """
    gc.collect()
    gc.freeze()


def served(site, debug=False):
    """Prepare ``site`` (keys, database), set debug mode on every app, and
    return it wrapped for its proxies."""
    prepare(site.apps.values())
    for app in site.apps.values():
        app.debug = debug
    return behind_proxies(site, proxy_hops(), proxy_headers())


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
    server's); and its services start with the first request. Built once
    per process (gunicorn's master, before it forks), so it settles it."""
    wsgi = StartsServices(served(site, debug=False), site.services)
    settle()
    return wsgi
