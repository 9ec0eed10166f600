"""Mail from real server processes: several gunicorn workers, a restart,
and waitress."""

import os
import runpy
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.local import free_port, wait_until
from harness.servers import (
    ROOT,
    Browser,
    deliver_command,
    granian_command,
    gunicorn_command,
    running,
    serve_command,
    waitress_command,
)
from tests.helpers import confirm_in_browser, follower_emails, outbox_rows

# Each server starts on a database migrated already, as after `db upgrade`.
pytestmark = pytest.mark.usefixtures("migrated_instance")

NAMES = [f"user{n}" for n in range(7)]


def mail_env(tmp_path, smtp_port):
    """Send to the test's SMTP server, polling and retrying quickly; no rate
    limits per client (the tests register crowds from 127.0.0.1)."""
    return {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_RATELIMIT_ENABLED": "false",
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp_port),
        "FLASK_MAIL_POLL_SECONDS": "0.3",
        "FLASK_MAIL_RETRY_SECONDS": "0.3",
        "FLASK_MAIL_RETRY_MAX_SECONDS": "1",
    }


def sqlite_url(instance):
    """The URL of the SQLite database a server keeps in ``instance``."""
    return f"sqlite:///{instance / 'site.sqlite'}"


def register(base, nickname, database_url):
    """A browser logged in as a newly registered, confirmed ``nickname``."""
    browser = Browser(base)
    email = f"{nickname}@example.com"
    data = {"nickname": nickname, "email": email, "password": "pw-12345"}
    assert browser.submit("/register", data)[0] == 302
    confirm_in_browser(browser, database_url, email)
    return browser


def follow(browser, nickname):
    """Press Follow on a profile; return the status."""
    return browser.submit(f"/follow/{nickname}", {}, form_path=f"/user/{nickname}")[0]


def test_many_follows_through_gunicorn_workers_mail_each_once(tmp_path, smtp):
    port = free_port()
    command = gunicorn_command(port, workers=3)
    # Under gunicorn the public URL must be configured: links in emails use it.
    env = {
        **mail_env(tmp_path, smtp.port),
        "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    url = sqlite_url(tmp_path)
    with running(command, env, tmp_path / "g.log", port) as base:
        browsers = {name: register(base, name, url) for name in NAMES}
        pairs = [(a, b) for a in NAMES for b in NAMES if a != b]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda p: follow(browsers[p[0]], p[1]), pairs))
        assert statuses == [302] * len(pairs)
        wait_until(
            lambda: len(follower_emails(smtp)) >= len(pairs), timeout=60, message="mail"
        )
        # A batch's marks are written after its last message: wait for them.
        wait_until(
            lambda: [r["status"] for r in outbox_rows(url)] == ["sent"] * len(pairs),
            message="every message marked sent",
        )
    received = sorted((m["To"], m["Subject"]) for m in follower_emails(smtp))
    expected = sorted(
        (f"{b}@example.com", f"{a} is now following you") for a, b in pairs
    )
    assert received == expected  # every mail, each exactly once
    assert len({m["Message-ID"] for m in follower_emails(smtp)}) == len(pairs)
    link = f"{base}/user/{NAMES[0]}"
    emails = follower_emails(smtp)
    assert any(link in m.get_body(("plain",)).get_content() for m in emails)
    # The workers were stopped with SIGTERM: each stopped its sender cleanly.
    log = (tmp_path / "g.log").read_text()
    assert log.count("Worker exiting") == 3
    assert "Traceback" not in log and "Error" not in log


def test_mail_pending_at_shutdown_goes_out_after_a_restart(tmp_path, smtp):
    smtp.stop()
    env, url = mail_env(tmp_path, smtp.port), sqlite_url(tmp_path)
    port = free_port()
    with running(serve_command(port), env, tmp_path / "1.log", port) as base:
        register(base, "bob", url)
        alice = register(base, "alice", url)
        assert follow(alice, "bob") == 302
        wait_until(lambda: outbox_rows(url)[0]["attempts"], message="a failed attempt")
    # `running` stopped the server with SIGTERM: the message is still pending.
    [row] = outbox_rows(url)
    assert (row["status"], row["claimed_by"]) == ("pending", None)
    smtp.start()
    with running(serve_command(port), env, tmp_path / "2.log", port):
        wait_until(lambda: follower_emails(smtp), message="the mail after the restart")
        wait_until(
            lambda: outbox_rows(url)[0]["status"] == "sent",
            message="the outbox to say sent",
        )
    assert [m["To"] for m in follower_emails(smtp)] == ["bob@example.com"]


def test_development_server_keeps_mail_in_the_instance_folder(tmp_path):
    env = {"FLASK_INSTANCE_PATH": str(tmp_path), "FLASK_MAIL_PORT": str(free_port())}
    port = free_port()
    url = sqlite_url(tmp_path)
    with running(serve_command(port), env, tmp_path / "serve.log", port) as base:
        register(base, "bob", url)
        alice = register(base, "alice", url)
        assert follow(alice, "bob") == 302
        new_mail = tmp_path / "mail" / "new"
        [path] = wait_until(
            lambda: [p for p in new_mail.glob("*") if "following" in p.read_text()],
            message="the follower email's file",
        )
        log = (tmp_path / "serve.log").read_text()
    text = path.read_text()
    assert "Subject: alice is now following you" in text
    assert f"{base}/user/alice" in text
    assert f"Development SMTP server on 127.0.0.1:{env['FLASK_MAIL_PORT']}" in log
    assert "Mail to bob@example.com: 'alice is now following you'" in log


def test_under_waitress_the_first_request_starts_delivery(tmp_path, smtp):
    # Not gunicorn, so no worker hook: the site's own WSGI application starts
    # the services of its process with its first request.
    port = free_port()
    env = mail_env(tmp_path, smtp.port) | {"FLASK_MAIL_POLL_SECONDS": "60"}
    with running(waitress_command(port), env, tmp_path / "waitress.log", port) as base:
        data = {"nickname": "ann", "email": "ann@example.com", "password": "pw-12345"}
        assert Browser(base).submit("/register", data)[0] == 302
        # Woken by the commit, not by the 60 s poll.
        wait_until(lambda: smtp.messages, message="the confirmation email")
    assert [m["To"] for m in smtp.messages] == ["ann@example.com"]


@pytest.mark.parametrize(
    "server", [gunicorn_command, waitress_command, granian_command]
)
def test_web_workers_without_delivery_and_one_deliver_process(tmp_path, smtp, server):
    # The production shape: a WSGI server serves with delivery off, and
    # `python dispatcher.py deliver` sends the mail beside it.
    port = free_port()
    env = {
        **mail_env(tmp_path, smtp.port),
        "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FRONTEND_MAIL_DELIVERY": "false",
    }
    url = sqlite_url(tmp_path)
    with running(server(port), env, tmp_path / "web.log", port) as base:
        register(base, "bob", url)
        alice = register(base, "alice", url)
        assert follow(alice, "bob") == 302
        # The web workers send nothing, not even bob's first email.
        assert {row["status"] for row in outbox_rows(url, confirmations=True)} == {
            "pending"
        }
        deliverer = start_deliverer(env, tmp_path / "d.log")
        try:
            wait_until(lambda: follower_emails(smtp), message="the follower email")
            wait_until(
                lambda: {r["status"] for r in outbox_rows(url, True)} == {"sent"},
                message="every message marked sent",
            )
        finally:
            deliverer.send_signal(signal.SIGTERM)
            deliverer.wait(timeout=30)
    output = (tmp_path / "d.log").read_text()
    assert deliverer.returncode == 0, output
    assert "Delivering the outbox with 8 threads" in output
    assert "of a batch of" in output  # a line per batch
    assert output.rstrip().endswith("* Stopped")
    assert len(smtp.messages) == 3  # two confirmations, one follower email


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_deliverer_is_woken_by_mail_written_in_another_process(
    tmp_path, smtp, backend, database_url
):
    # The deliverer polls once a minute here: only a wake-up from the web
    # process (NOTIFY on PostgreSQL, a datagram on SQLite) sends in seconds.
    port = free_port()
    url = database_url if backend == "postgresql" else sqlite_url(tmp_path)
    env = {
        **mail_env(tmp_path, smtp.port),
        "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FRONTEND_MAIL_DELIVERY": "false",
        "FLASK_MAIL_POLL_SECONDS": "60",
    }
    if backend == "postgresql":
        env["FLASK_DATABASE_URL"] = url
    with running(gunicorn_command(port), env, tmp_path / "g.log", port) as base:
        register(base, "bob", url)
        alice = register(base, "alice", url)
        deliverer = start_deliverer(env, tmp_path / "d.log")
        try:
            # It starts by sending what is due (the two confirmations)...
            wait_until(lambda: len(smtp.messages) == 2, message="the confirmations")
            assert follow(alice, "bob") == 302
            # ...then sleeps: the follow's email comes from a wake-up.
            wait_until(
                lambda: follower_emails(smtp), timeout=10, message="a woken deliverer"
            )
        finally:
            deliverer.send_signal(signal.SIGTERM)
            deliverer.wait(timeout=30)
    output = (tmp_path / "d.log").read_text()
    assert deliverer.returncode == 0, output


def start_deliverer(env, log_path):
    """``python dispatcher.py deliver`` with ``env``, writing to ``log_path``."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            deliver_command(),
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_a_killed_deliverer_costs_at_most_its_messages_in_flight(tmp_path, smtp):
    # Its claims lasted twice the longest send (24 min by default, 68 s at
    # the least), and a batch's marks were written at its end: a SIGKILLed
    # serve resent 45 messages and left the rest waiting.
    smtp.recorder.data_delay = 0.1
    port = free_port()
    env = {
        **mail_env(tmp_path, smtp.port),
        "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FRONTEND_MAIL_DELIVERY": "false",
        "FLASK_MAIL_LEASE_SECONDS": "3",
        "FLASK_MAIL_DELIVERY_THREADS": "2",
        "FLASK_MAIL_TIMEOUT": "2",
        "FLASK_MAIL_DATA_TIMEOUT": "2",
    }
    url = sqlite_url(tmp_path)
    with running(gunicorn_command(port), env, tmp_path / "g.log", port) as base:
        browsers = {name: register(base, name, url) for name in NAMES}
        pairs = [(a, b) for a in NAMES for b in NAMES if a != b]
        for a, b in pairs:
            assert follow(browsers[a], b) == 302
    total = len(outbox_rows(url, True))  # confirmations and follower emails
    first = start_deliverer(env, tmp_path / "d1.log")
    try:
        wait_until(lambda: smtp.recorder.bodies >= 10, message="ten messages sent")
    finally:
        first.kill()  # SIGKILL: no clean stop
        first.wait()
    second = start_deliverer(env, tmp_path / "d2.log")
    try:
        wait_until(
            lambda: {r["status"] for r in outbox_rows(url, True)} == {"sent"},
            timeout=30,
            message="every message sent after the takeover",
        )
    finally:
        second.terminate()
        second.wait(timeout=30)
    # Each of the killed process's two threads had at most one message in
    # flight: at most two went out twice.
    assert total <= smtp.recorder.bodies <= total + 2
    assert len({m["Message-ID"] for m in smtp.messages}) == total


def graceful_timeout(monkeypatch, env):
    """The ``graceful_timeout`` gunicorn.conf.py gives gunicorn with ``env``
    (gunicorn runs the file as Python, as here)."""
    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["graceful_timeout"]


def test_gunicorn_gives_a_delivering_worker_time_to_finish_its_message(monkeypatch):
    # gunicorn kills a worker that has not stopped after graceful_timeout
    # (30 s); a worker that delivers mail may be waiting up to
    # MAIL_DATA_TIMEOUT (600 s) for the reply to a message's body, and
    # killed then it would leave that message to be sent again.
    assert graceful_timeout(monkeypatch, {}) >= 600 + 30
    assert graceful_timeout(monkeypatch, {"FLASK_MAIL_DATA_TIMEOUT": "120"}) >= 120 + 30
    # Web workers that deliver nothing keep gunicorn's own 30 s.
    assert graceful_timeout(monkeypatch, {"FRONTEND_MAIL_DELIVERY": "false"}) == 30
