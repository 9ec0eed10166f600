"""Figure 2: what the context tracer costs, off and on.

A real page (bob viewing alice's profile: the session, the user, three
queries, a template) and a trivial one (/hello), each with tracing on (the
default) and off (``TRACE_CONTEXTS = False``), and an empty view, where the
tracer's own work is all there is: plain Flask, TracedFlask off and on.
"""

import flask

from bench.dispatch import timer
from bench.sites import site_with_users
from bench.table import figure_rows
from core.contexts import tracer

FIGURE = "2. The tracer (us/request)"


def empty_app(app_class, traced):
    """A one-view app of ``app_class``, recording its requests if ``traced``."""
    app = app_class("empty")
    app.add_url_rule("/hello", "hello", lambda: "hello")
    if traced:
        tracer.init_app(app)
    return app


def variants(requests):
    """name -> (callable, baseline)."""
    on, on_cookie = site_with_users()
    off, off_cookie = site_with_users(TRACE_CONTEXTS=False)
    return {
        "profile page, tracing off": (
            timer(off, "/user/alice", off_cookie, requests),
            None,
        ),
        "profile page, tracing on": (
            timer(on, "/user/alice", on_cookie, requests),
            "profile page, tracing off",
        ),
        "/hello, tracing off": (timer(off, "/hello", off_cookie, requests), None),
        "/hello, tracing on": (
            timer(on, "/hello", on_cookie, requests),
            "/hello, tracing off",
        ),
        "empty view, plain Flask": (
            timer(empty_app(flask.Flask, False), "/hello", "", requests),
            None,
        ),
        "empty view, TracedFlask, tracing off": (
            timer(empty_app(tracer.TracedFlask, False), "/hello", "", requests),
            "empty view, plain Flask",
        ),
        "empty view, TracedFlask, tracing on": (
            timer(empty_app(tracer.TracedFlask, True), "/hello", "", requests),
            "empty view, plain Flask",
        ),
    }


def measure(smoke=False):
    """The figure's rows."""
    requests, rounds = (20, 1) if smoke else (100, 25)
    return figure_rows(FIGURE, variants(requests), rounds, "us/request")
