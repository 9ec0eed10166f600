"""Two independent servers sharing one PostgreSQL database, as behind a load
balancer: gunicorn and the development server, each with its own instance
folder and port, configured alike (the database URL, the keys, the admin)."""

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.accounts import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
from harness.databases import query
from harness.local import free_port, wait_until
from harness.servers import Browser, gunicorn_command, running, serve_command
from tests.helpers import confirm_in_browser, follower_emails

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

NAMES = [f"user{n}" for n in range(11)]  # 110 follows, each pair once


def shared_env(database_url, smtp_port):
    """What every machine of the site is given alike; no rate limits per
    client (the tests register a crowd from 127.0.0.1), but the login
    lockout per account stays on, as it always does."""
    return {
        "FLASK_DATABASE_URL": database_url,
        "FLASK_RATELIMIT_ENABLED": "false",
        "FRONTEND_SECRET_KEY": "frontend-key-shared-by-all-machines",
        "ADMIN_SECRET_KEY": "admin-key-shared-by-all-machines",
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp_port),
        "FLASK_MAIL_POLL_SECONDS": "0.3",
    }


def follow(browser, nickname):
    """Press Follow on a profile; return the status."""
    return browser.submit(f"/follow/{nickname}", {}, form_path=f"/user/{nickname}")[0]


def test_two_servers_share_sessions_and_mail_each_follow_once(
    tmp_path, smtp, database_url
):
    env = shared_env(database_url, smtp.port)
    ports = free_port(), free_port()
    first = running(
        gunicorn_command(ports[0], workers=2),
        {**env, "FLASK_INSTANCE_PATH": str(tmp_path / "one")},
        tmp_path / "one.log",
        ports[0],
    )
    second = running(
        serve_command(ports[1]),
        {**env, "FLASK_INSTANCE_PATH": str(tmp_path / "two")},
        tmp_path / "two.log",
        ports[1],
    )
    with first as one, second as two:
        bases = itertools.cycle([one, two])
        browsers = {}
        for name in NAMES:  # each registers on one server...
            browsers[name] = Browser(next(bases))
            data = {
                "nickname": name,
                "email": f"{name}@example.com",
                "password": "pw-12345",
            }
            assert browsers[name].submit("/register", data)[0] == 302
            confirm_in_browser(browsers[name], database_url, data["email"])
        # ...and is logged in on the other.
        for name, browser in browsers.items():
            other = browser.at(two if browser.base == one else one)
            _, _, page = other.request("/")
            assert "Log out" in page, (
                f"{name}'s session was refused by the other server"
            )
        pairs = [(a, b) for a in NAMES for b in NAMES if a != b]
        jobs = [
            (browsers[a].at(base), b)
            for (a, b), base in zip(pairs, bases, strict=False)
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda job: follow(*job), jobs))
        assert statuses == [302] * len(pairs)  # no 500, no refusal
        wait_until(
            lambda: len(follower_emails(smtp)) >= len(pairs), timeout=60, message="mail"
        )
        wait_until(
            lambda: all(
                r["status"] == "sent"
                for r in query(database_url, "SELECT status FROM outbox")
            ),
            message="every message marked sent",
        )
        admin = Browser(one)
        login = {"username": "admin", "password": ADMIN_PASSWORD}
        assert admin.submit("/admin/login", login)[0] == 302
        assert admin.at(two).request("/admin/users")[0] == 200  # the admin's too
        check_lockout_is_shared(one, two, NAMES[0])
    received = sorted((m["To"], m["Subject"]) for m in follower_emails(smtp))
    expected = sorted(
        (f"{b}@example.com", f"{a} is now following you") for a, b in pairs
    )
    assert received == expected  # every email, each exactly once
    assert len({m["Message-ID"] for m in follower_emails(smtp)}) == len(pairs)
    senders = {
        r["claimed_by"] for r in query(database_url, "SELECT claimed_by FROM outbox")
    }
    assert senders == {None}  # every claim released with its outcome
    for log in ("one.log", "two.log"):
        assert "Traceback" not in (tmp_path / log).read_text()


def check_lockout_is_shared(one, two, nickname):
    """Failed logins for ``nickname`` spread over both servers (and the
    gunicorn workers) lock it on both, though the per-client limits are off."""
    servers = itertools.cycle([one, two])
    for n in range(10):
        wrong = {"nickname": nickname, "password": f"guess-{n}"}
        assert Browser(next(servers)).submit("/login", wrong)[0] == 400
    right = {"nickname": nickname, "password": "pw-12345"}
    for base in (one, two):
        status, _, page = Browser(base).submit("/login", right)
        assert status == 429
        assert "even with the right password" in page
