"""The combined site served by real processes: run_simple and gunicorn."""

import re
import socket
import sqlite3
import urllib.request

import pytest

from harness.accounts import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
from harness.local import free_port
from harness.servers import Browser, gunicorn_command, running, serve_command

USER = {"nickname": "alice", "email": "alice@example.com", "password": "s3cret-pass"}


def check_site(browser, admin_password):
    """Walk through both apps as a visitor would, asserting what they see."""
    status, _, page = browser.request("/hello")
    assert (status, "Hello from the frontend" in page) == (200, True)
    status, headers, _ = browser.request("/admin")
    assert (status, headers["Location"]) == (308, f"{browser.base}/admin/")
    status, headers, _ = browser.request("/admin/hello")
    assert (status, headers["Location"]) == (302, "/admin/login?next=%2Fadmin%2Fhello")
    assert browser.request("/adminx")[0] == 404
    status, headers, _ = browser.submit("/register", USER)
    assert (status, headers["Location"]) == (302, "/user/alice")
    credentials = {"username": "admin", "password": admin_password}
    status, headers, _ = browser.submit("/admin/login", credentials)
    assert (status, headers["Location"]) == (302, "/admin/")
    status, _, page = browser.request("/admin/hello")
    assert (status, "Hello from the admin" in page) == (200, True)
    assert "alice" in browser.request("/")[2]


def test_development_server(tmp_path):
    port = free_port()
    env = {"FLASK_INSTANCE_PATH": str(tmp_path)}
    log = tmp_path / "serve.log"
    with running(serve_command(port), env, log, port) as base:
        output = log.read_text()
        [password] = re.findall(r"Admin login for this run: admin / (\S+)", output)
        check_site(Browser(base), password)


@pytest.mark.usefixtures("migrated_instance")
def test_gunicorn_workers_share_sessions(tmp_path):
    port = free_port()
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }
    command = gunicorn_command(port, workers=3)
    with running(command, env, tmp_path / "gunicorn.log", port) as base:
        browser = Browser(base)
        check_site(browser, ADMIN_PASSWORD)
        # Each request may reach another worker: all of them must accept the
        # session, so all must have read the same generated secret keys.
        for _ in range(30):
            assert "Log out" in browser.request("/")[2]
            assert browser.request("/admin/")[0] == 200
        check_failed_logins_are_counted_by_all_workers(base)
    assert sorted(p.name for p in tmp_path.glob("*-secret-key")) == [
        "admin-secret-key",
        "frontend-secret-key",
    ]


def check_failed_logins_are_counted_by_all_workers(base):
    """Ten failed logins from this client, on fresh connections that any
    worker may take: the eleventh gets 429 from whichever worker it reaches."""
    for n in range(10):
        wrong = {"nickname": f"nobody{n}", "password": "wrong"}
        assert Browser(base).submit("/login", wrong)[0] == 400
    for _ in range(3):
        status, headers, page = Browser(base).submit("/login", USER)
        assert status == 429
        assert "Too many failed logins from your address" in page
        assert int(headers["Retry-After"]) > 0


def slow_body(port):
    """A connection that has sent a POST's headers and one byte of its
    1000-byte body, and sends no more while it is open."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 1000\r\n\r\na"
    )
    return connection


@pytest.mark.usefixtures("migrated_instance")
def test_slow_bodies_leave_gunicorn_answering(tmp_path):
    # The README's command, with gunicorn.conf.py's gthread workers. Sync
    # workers read one body at a time: two slow ones stalled `-w 2`, and
    # /hello timed out, three times out of three.
    port = free_port()
    env = {"FLASK_INSTANCE_PATH": str(tmp_path)}
    with running(gunicorn_command(port), env, tmp_path / "gunicorn.log", port) as base:
        slow = [slow_body(port) for _ in range(4)]
        try:
            with urllib.request.urlopen(f"{base}/hello", timeout=5) as response:
                assert response.status == 200
        finally:
            for connection in slow:
                connection.close()


@pytest.mark.usefixtures("migrated_instance")
def test_under_gunicorn_flask_debug_shows_no_traceback_and_no_toolbar(
    tmp_path,
):
    # FLASK_DEBUG=1 left in a production environment must not turn debug on:
    # Flask would then let the error through to gunicorn's bare page, and
    # say more in some error descriptions than a visitor should read.
    port = free_port()
    secret = "frontend-key-that-must-never-be-shown"
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_DEBUG": "1",
        "FRONTEND_SECRET_KEY": secret,
        # A writer gives up on a locked database after 0.2 s, not 10.
        "FLASK_SQLALCHEMY_ENGINE_OPTIONS": '{"connect_args": {"timeout": 0.2}}',
    }
    log = tmp_path / "gunicorn.log"
    with running(gunicorn_command(port), env, log, port) as base:
        browser = Browser(base)
        holder = sqlite3.connect(tmp_path / "site.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            status, _, page = browser.submit("/register", USER)
        finally:
            holder.close()
        # A locked database is said as such (issue 21), with no detail.
        assert status == 503
        assert "Back to the home page" in page  # the frontend's own error page
        for leak in ("Traceback", "Debugger", "database is locked", secret):
            assert leak not in page
        # Nor is the debug toolbar on, on any page or at its own URLs.
        assert "flDebug" not in browser.request("/hello")[2]
        assert browser.request("/_debug_toolbar/static/js/toolbar.js")[0] == 404
    assert "database is locked" in log.read_text()  # the operator sees it


def port_is_free(port):
    """Tell whether 127.0.0.1:port can be bound now."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_bare_command_serves_on_port_5000(tmp_path):
    if not port_is_free(5000):
        pytest.skip("port 5000 is in use on this machine")
    command = serve_command(5000)[:2]  # python dispatcher.py, nothing else
    env = {"FLASK_INSTANCE_PATH": str(tmp_path)}
    with running(command, env, tmp_path / "bare.log", 5000) as base:
        assert Browser(base).request("/hello")[0] == 200
