"""Figure 3: the profile page and a follow on SQLite and on PostgreSQL.

Per request (one client) and under 8 concurrent clients (threads calling the
WSGI callable at once: wall time over requests). PostgreSQL is a local server
the benchmark starts, as the tests do; without it, its rows are left out.
``python -m bench.profile_page`` compares the profile page with the code
before the move to SQLAlchemy (README: "The database").
"""

import io
import time
from concurrent.futures import ThreadPoolExecutor

from werkzeug.test import Client, run_wsgi_app

from bench.profile_page import postgres_database, start_postgres
from bench.sites import environ, site_with_users
from bench.table import figure_rows
from harness.accounts import csrf_token

FIGURE = "3. The database (us/request)"
CLIENTS = 8


def follow_environs(site, cookie):
    """Environs for bob's follow and unfollow of alice, with a CSRF token."""
    client = Client(site, use_cookies=False)  # the cookie header as given
    page = client.get("/user/alice", headers={"Cookie": cookie})
    body = f"csrf_token={csrf_token(page.text)}".encode()

    def post(path):
        prepared = environ(path, cookie, method="POST")
        prepared.update(
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(body)),
        )
        return prepared, body

    return post("/unfollow/alice"), post("/follow/alice")


def run_once(site, prepared, body=b""):
    """Call ``site`` once with ``prepared`` and ``body``; check the status."""
    env = dict(prepared)
    env["wsgi.input"] = io.BytesIO(body)
    status = run_wsgi_app(site, env, buffered=True)[1]
    assert status.startswith(("200", "302")), status


def sequential(site, jobs, requests):
    """us per request, one client."""

    def measure():
        start = time.perf_counter()
        for n in range(requests):
            run_once(site, *jobs[n % len(jobs)])
        return (time.perf_counter() - start) / requests * 1e6

    return measure


def concurrent(site, jobs, requests):
    """us per request (wall time), ``CLIENTS`` clients at once."""

    def client(_):
        for n in range(requests // CLIENTS):
            run_once(site, *jobs[n % len(jobs)])

    def measure():
        start = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        return (time.perf_counter() - start) / (requests // CLIENTS * CLIENTS) * 1e6

    return measure


def variants(requests, server, template):
    backends = {"SQLite": None}
    if server is not None:
        backends["PostgreSQL"] = postgres_database(server, template)
    found = {}
    for backend, url in backends.items():
        site, cookie = site_with_users(url)
        profile = [(environ("/user/alice", cookie), b"")]
        follows = list(follow_environs(site, cookie))
        base = None if backend == "SQLite" else "SQLite"
        for page, jobs in (("profile page", profile), ("follow + unfollow", follows)):
            for mode, make in (
                ("1 client", sequential),
                (f"{CLIENTS} clients", concurrent),
            ):
                name = f"{page}, {mode}, {backend}"
                found[name] = (
                    make(site, jobs, requests),
                    None if base is None else f"{page}, {mode}, {base}",
                )
    return found


def measure(smoke=False):
    """The figure's rows."""
    requests, rounds = (16, 1) if smoke else (96, 9)
    # The smoke run measures SQLite only: the PostgreSQL rows run the same
    # code on another URL, and starting a server was half the smoke's time.
    server, template = (None, None) if smoke else start_postgres()  # and 3b's
    return figure_rows(
        FIGURE, variants(requests, server, template), rounds, "us/request"
    )
