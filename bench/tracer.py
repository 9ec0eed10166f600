"""Figure 2: what the context tracer costs, off and on.

A real page (bob viewing alice's profile: the session, the user, three
queries, a template) and a trivial one (/hello), each with tracing on (the
default) and off (``TRACE_CONTEXTS = False``: a plain Flask app), and an
empty view, where the tracer's own work is all there is: plain Flask, traced
with nothing recording (``trace_app``), and each request recorded
(``record_requests``).
"""

import flask
from flask_lens import record_requests, trace_app

from bench.dispatch import timer
from bench.sites import site_with_users
from bench.table import figure_rows

FIGURE = "2. The tracer (us/request)"


def empty_app(tracing=None):
    """A one-view Flask app, given to ``tracing`` (a flask_lens function)."""
    app = flask.Flask("empty")
    app.add_url_rule("/hello", "hello", lambda: "hello")
    return tracing(app) if tracing else app


def variants(requests):
    """name -> (callable, baseline)."""
    on, on_cookie = site_with_users()
    off, off_cookie = site_with_users(TRACE_CONTEXTS=False)
    plain = "empty view, plain Flask"
    # fmt: off
    rows = [  # name, WSGI callable, path, session cookie, baseline
        ("profile page, tracing off", off, "/user/alice", off_cookie, None),
        ("profile page, tracing on", on, "/user/alice", on_cookie,
            "profile page, tracing off"),
        ("/hello, tracing off", off, "/hello", off_cookie, None),
        ("/hello, tracing on", on, "/hello", on_cookie, "/hello, tracing off"),
        (plain, empty_app(), "/hello", "", None),
        ("empty view, trace_app, nothing recording", empty_app(trace_app), "/hello",
            "", plain),
        ("empty view, record_requests", empty_app(record_requests), "/hello", "",
            plain),
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
