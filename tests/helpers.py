"""Helpers only the tests need: SQL on the test database, the command line."""

import subprocess
import sys

from sqlalchemy import create_engine, text

from harness.accounts import submit
from harness.local import wait_until
from harness.servers import ROOT


def query(database_url, sql, **params):
    """Run ``sql`` on the database directly (not through the app); return the
    rows as mappings (``row["status"]``). Quote ``"user"``: a PostgreSQL word."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), params)
            return result.mappings().all() if result.returns_rows else []
    finally:
        engine.dispose()


def run_cli(tmp_path, *args):
    """Run ``python dispatcher.py ARGS`` as on a fresh clone; return its output."""
    env = {"PATH": "/usr/bin:/bin", "FLASK_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "dispatcher.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def outbox_rows(database_url):
    """Every outbox row, oldest first."""
    return query(database_url, "SELECT * FROM outbox ORDER BY id")


def wait_for_status(database_url, status, count=1):
    """Wait until ``count`` messages have ``status``; return the rows."""

    def rows_with_status():
        rows = [row for row in outbox_rows(database_url) if row["status"] == status]
        return rows if len(rows) >= count else None

    return wait_until(rows_with_status, message=f"{count} message(s) {status}")


def follow(client, nickname):
    """Press the Follow button on ``nickname``'s profile."""
    return submit(client, f"/follow/{nickname}", {}, form_url=f"/user/{nickname}")
