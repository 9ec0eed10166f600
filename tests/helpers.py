"""Helpers only the tests need: SQL on the test database, the command line."""

import subprocess
import sys
from contextlib import closing

from core.db import connect
from harness.servers import ROOT


def query(db_path, sql, *args):
    """Run ``sql`` on the SQLite file directly and return all rows."""
    with closing(connect(db_path)) as conn:
        return conn.execute(sql, args).fetchall()


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
