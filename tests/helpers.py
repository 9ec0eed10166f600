"""Helpers only the tests need: the outbox and the mailbox, the command line."""

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from harness.accounts import Account, confirm_address, confirmation_link, submit
from harness.databases import query
from harness.local import wait_until
from harness.servers import ROOT


def run_in_repository(args, env, check=True, timeout=60):
    """Run ``python ARGS`` from the repository root with only ``env``; return
    the finished process (its output as text)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def run_cli(tmp_path, *args):
    """Run ``python dispatcher.py ARGS`` as on a fresh clone; return its output."""
    env = {"PATH": "/usr/bin:/bin", "FLASK_INSTANCE_PATH": str(tmp_path)}
    return run_in_repository(["dispatcher.py", *args], env).stdout


def outbox_rows(database_url, confirmations=False):
    """Every outbox row, oldest first; without the confirmation emails (their
    own tests read them) unless ``confirmations``."""
    where = "" if confirmations else " WHERE subject NOT LIKE 'Confirm%'"
    return query(database_url, f"SELECT * FROM outbox{where} ORDER BY id")


def wait_for_status(database_url, status, count=1, confirmations=False):
    """Wait until ``count`` messages have ``status``; return the rows."""

    def rows_with_status():
        rows = outbox_rows(database_url, confirmations)
        rows = [row for row in rows if row["status"] == status]
        return rows if len(rows) >= count else None

    return wait_until(rows_with_status, message=f"{count} message(s) {status}")


def wait_for_attempts(database_url, count):
    """Wait until every message has been tried at least ``count`` times."""
    wait_until(
        lambda: all(row["attempts"] >= count for row in outbox_rows(database_url)),
        message=f"{count} attempts each",
    )


def follower_emails(smtp):
    """The emails the SMTP server accepted, but the confirmations."""
    return [m for m in smtp.messages if not m["Subject"].startswith("Confirm")]


def register_confirmed(client, nickname, database_url):
    """Register ``nickname`` and open the link that confirms their address."""
    Account(client).register(nickname)
    confirm_address(client, database_url, f"{nickname}@example.com")


def follow(client, nickname):
    """Press the Follow button on ``nickname``'s profile."""
    return submit(client, f"/follow/{nickname}", {}, form_url=f"/user/{nickname}")


def confirm_in_browser(browser, database_url, email):
    """Open the link of ``email``'s confirmation email in a server's browser."""
    path = urlsplit(confirmation_link(database_url, email)).path
    status, _, page = browser.request(path)
    assert status == 200, page


def run_bench_smoke(tmp_path, *names):
    """Run ``python -m bench --smoke --only NAMES``; return its output."""
    env = {"PATH": os.environ["PATH"], "FLASK_INSTANCE_PATH": str(tmp_path)}
    result = run_in_repository(
        ["-m", "bench", "--smoke", "--only", *names], env, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def bench_figures(output):
    """The figure numbers the output's table has, in order."""
    return re.findall(r"^(\d\w?\.) ", output, re.M)


def unavailable(requirement, reason):
    """Skip the test, because a server it needs is not installed; or fail
    it where ``requirement`` (``REQUIRE_POSTGRES``...) is 1, as in CI."""
    if os.environ.get(requirement) == "1":
        pytest.fail(f"{requirement}=1: {reason}")
    pytest.skip(reason)
