"""Figure 4: over HTTP on loopback, the frontend alone vs the combined site.

gunicorn (sync workers, and gthread), waitress and granian, each serving the
frontend alone (``bench.wsgi_apps:frontend_alone``) and the combined site
(``dispatcher:application``), all started at once; a load generator of
client threads with keep-alive connections asks for /hello for a fixed time,
taking turns over the eight in every round. Two numbers per server: requests
per second (the whole machine: client and server share its 2 cores), and
the server's CPU time per request (from /proc, steadier).
"""

import http.client
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench.proc import cpu_seconds, server_pid
from bench.table import Row, interleaved
from harness.local import free_port
from harness.servers import (
    granian_command,
    gunicorn_command,
    running,
    waitress_command,
)

FIGURE_RATE = "4a. Over HTTP: requests per second (higher is better)"
FIGURE_CPU = "4b. Over HTTP: server CPU per request (us)"
CLIENTS = 4
APPS = {
    "frontend alone": "bench.wsgi_apps:frontend_alone",
    "combined": "dispatcher:application",
}


def commands(app, port):
    """The server command lines for ``app`` on ``port``."""
    return {
        # -k: gunicorn.conf.py (read from the project folder) says gthread.
        "gunicorn sync x2": gunicorn_command(port, 2, worker_class="sync", app=app),
        "gunicorn gthread 1x4": gunicorn_command(
            port, 1, threads=4, worker_class="gthread", app=app
        ),
        "waitress 4 threads": waitress_command(port, threads=4, app=app),
        "granian 1x4": granian_command(port, workers=1, threads=4, app=app),
    }


def load(port, seconds):
    """GET /hello from ``CLIENTS`` keep-alive connections for ``seconds``;
    return how many answered 200."""
    done = [0] * CLIENTS
    stop = time.perf_counter() + seconds

    def client(n):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            connection.request("GET", "/hello")
            response = connection.getresponse()
            response.read()
            done[n] += response.status == 200
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done)


def pairs(smoke):
    """The (server, app name) pairs to measure: every server with every app;
    in a smoke run every server once, the apps taking turns (each still
    starts under two servers)."""
    servers = list(commands("", 0))  # their names
    if smoke:
        return [(server, list(APPS)[n % 2]) for n, server in enumerate(servers)]
    return [(server, app_name) for app_name in APPS for server in servers]


def start_servers(stack, seconds, smoke):
    """Start the servers of ``pairs(smoke)`` (stopped when ``stack`` closes);
    return {name: one timed load}, and {name: CPU µs per request} to fill."""
    env = {
        "FLASK_INSTANCE_PATH": tempfile.mkdtemp(),
        "FLASK_RATELIMIT_ENABLED": "false",
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
    }
    variants, cpu = {}, {}
    for server, app_name in pairs(smoke):
        app = APPS[app_name]
        port = free_port()
        command = commands(app, port)[server]
        log = Path(env["FLASK_INSTANCE_PATH"]) / f"{port}.log"
        stack.enter_context(running(command, env, log, port))
        name = f"{server}, {app_name}"
        pid, cpu[name] = server_pid(port), []

        def once(port=port, pid=pid, name=name):
            before = cpu_seconds(pid)
            count = load(port, seconds)
            cpu[name].append((cpu_seconds(pid) - before) / count * 1e6)
            return count / seconds

        variants[name] = once
    return variants, cpu


def measure(smoke=False):
    """The figure's rows: 4a, requests per second; 4b, server CPU per request."""
    # The smoke run loads each server 0.1 s (30 to 60 requests): enough to
    # prove it serves; 0.3 s cost the test 2 s more of CPU.
    seconds, rounds = (0.1, 1) if smoke else (2.0, 5)
    with ExitStack() as stack:
        variants, cpu = start_servers(stack, seconds, smoke)
        rates = interleaved(variants, rounds)
    rows = []
    for figure, samples, unit, lower in (
        (FIGURE_RATE, rates, "req/s", False),
        (FIGURE_CPU, cpu, "us/request", True),
    ):
        for name in variants:
            server, app_name = name.rsplit(", ", 1)
            base = f"{server}, frontend alone"
            if app_name == "frontend alone" or base not in variants:
                base = None  # the smoke run has one app per server
            rows.append(Row(figure, name, unit, samples[name], base, lower))
    return rows
