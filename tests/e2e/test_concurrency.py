"""Many concurrent requests through a real server: each sees only its own context."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.accounts import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
from harness.local import free_port
from harness.servers import Browser, gunicorn_command, running, serve_command

REQUESTS = 60


def threaded_gunicorn(port):
    """gunicorn with two workers of four threads each."""
    return gunicorn_command(port, workers=2, threads=4)


@pytest.mark.usefixtures("migrated_instance")
@pytest.mark.parametrize("command", [serve_command, threaded_gunicorn])
def test_each_request_sees_only_its_own_context(tmp_path, command):
    port = free_port()
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }
    with running(command(port), env, tmp_path / "server.log", port) as base:
        browser = Browser(base)
        credentials = {"username": "admin", "password": ADMIN_PASSWORD}
        assert browser.submit("/admin/login", credentials)[0] == 302

        def fetch(n):
            prefix = "/admin" if n % 3 == 0 else ""
            status, _, body = browser.request(f"{prefix}/context?n={n}")
            return n, prefix, status, json.loads(body)

        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(fetch, range(REQUESTS)))

    for n, prefix, status, info in results:
        app = "admin" if prefix else "frontend"
        url = f"{base}{prefix}/context?n={n}"
        assert (status, info["app"], info["url"]) == (200, app, url)
        steps = [(e["action"], e["kind"], e["app"], e["url"]) for e in info["trace"]]
        assert steps == [
            ("push", "app", app, None),
            ("push", "request", app, url),
            ("before_request", "request", app, None),
            ("view", "request", app, None),
            ("after_request", "request", app, None),
            ("teardown", "request", app, None),
            ("pop", "request", app, url),
            ("teardown", "app", app, None),
            ("pop", "app", app, None),
        ]
