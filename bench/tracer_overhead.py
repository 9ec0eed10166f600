"""What the context tracer costs a request, with tracing off and on.

Three minimal apps with one view each, called through WSGI in interleaved
rounds (so machine noise hits all three alike); the best round of each is
compared with plain Flask.
"""

import time

import flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from core.contexts import tracer

REQUESTS = 2000
ROUNDS = 7


def make_app(app_class, traced):
    """A one-view app of ``app_class``, with tracing turned on if ``traced``."""
    app = app_class(__name__)
    app.add_url_rule("/hello", "hello", lambda: "hello")
    if traced:
        tracer.init_app(app)
    return app


def best_time(app, rounds):
    """Time ``REQUESTS`` GET /hello, for each round; return all the times."""
    environ = EnvironBuilder(path="/hello").get_environ()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            run_wsgi_app(app, environ.copy(), buffered=True)
        times.append(time.perf_counter() - start)
    return times


def main():
    """Print each variant's time per request and its ratio to plain Flask."""
    variants = {
        "plain flask.Flask": make_app(flask.Flask, traced=False),
        "tracer.TracedFlask, tracing off": make_app(tracer.TracedFlask, traced=False),
        "tracer.TracedFlask, tracing on": make_app(tracer.TracedFlask, traced=True),
    }
    times = {name: [] for name in variants}
    for _ in range(ROUNDS):  # interleaved: noise lands on every variant
        for name, app in variants.items():
            times[name] += best_time(app, 1)
    base = min(times["plain flask.Flask"])
    print(f"Context tracer: {REQUESTS} requests x {ROUNDS} rounds, best round")
    for name, measured in times.items():
        best = min(measured)
        per_request = best / REQUESTS * 1e6
        print(f"  {name:<30} {per_request:7.1f} us/request  x{best / base:.3f}")
