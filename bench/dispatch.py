"""Figure 1: what the dispatcher costs a request, in-process.

The WSGI callable is called with a prepared environ; each variant serves the
same kind of page. The floor is a bare WSGI hello; then a plain Flask app,
the frontend alone, the combined site reaching the same frontend page and an
admin page, the site with 100 more mounts, and a path 20 segments deep (the
dispatcher splits it segment by segment).
"""

import time

import flask
from werkzeug.test import run_wsgi_app

from bench.sites import environ, site_with_users, with_mounts
from bench.table import figure_rows

FIGURE = "1. In-process, per request (us/request)"
DEEP = "/" + "/".join(f"s{n}" for n in range(20))


def bare_hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def plain_flask():
    app = flask.Flask("plain")
    app.add_url_rule("/hello", "hello", lambda: "hello")
    return app


def timer(app, path, cookie, requests):
    """A callable timing ``requests`` calls of ``app`` for ``path``: us each."""
    prepared = environ(path, cookie)

    def measure():
        start = time.perf_counter()
        for _ in range(requests):
            run_wsgi_app(app, prepared.copy(), buffered=True)
        return (time.perf_counter() - start) / requests * 1e6

    return measure


def variants(requests):
    """name -> (callable, baseline)."""
    site, cookie = site_with_users()
    front, admin = site.app, site.mounts["/admin"]
    # fmt: off
    rows = [  # name, WSGI callable, path, session cookie, baseline
        ("bare WSGI hello (the floor)", bare_hello, "/hello", "", None),
        ("plain Flask app: /hello", plain_flask(), "/hello", "", None),
        ("frontend alone: /hello", front, "/hello", cookie, None),
        ("combined site: /hello", site, "/hello", cookie, "frontend alone: /hello"),
        ("admin alone: /hello", admin, "/hello", cookie, None),
        ("combined site: /admin/hello", site, "/admin/hello", cookie,
            "admin alone: /hello"),
        ("102 mounts: /admin/hello", with_mounts(site, 100), "/admin/hello", cookie,
            "combined site: /admin/hello"),
        ("frontend alone: 20-segment path (404)", front, DEEP, cookie, None),
        ("combined site: 20-segment path (404)", site, DEEP, cookie,
            "frontend alone: 20-segment path (404)"),
    ]
    # fmt: on
    return {
        name: (timer(app, path, cookie, requests), base)
        for name, app, path, cookie, base in rows
    }


def measure(smoke=False):
    """The figure's rows."""
    requests, rounds = (20, 1) if smoke else (100, 25)
    return figure_rows(FIGURE, variants(requests), rounds, "us/request")
