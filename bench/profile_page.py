"""The profile page, before and after the move to SQLAlchemy, side by side.

    python -m bench.profile_page [--before REV] [--rounds 7] [--requests 400]

A logged-in user opens another user's profile (three queries: the user, the
counts, whether they follow) through the combined site's WSGI callable, with
a prepared environ. Each side runs in a process of its own from its own tree
(REV checked out in a temporary git worktree), and the sides take turns for
``--rounds`` rounds, so the machine's noise falls on all of them alike.
"""

import argparse
import atexit
import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.table import Row, render
from harness.postgres import PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parent.parent
SIDE = Path(__file__).with_name("profile_side.py")
# The last commit on the hand-written sqlite3 layer.
BEFORE = "da9b9a1"


def run_side(tree, requests, database_url=None):
    """Measure in a new process whose site comes from ``tree``."""
    # The measuring script is this tree's; everything it imports is ``tree``'s.
    result = subprocess.run(
        [sys.executable, str(SIDE), str(requests), database_url or ""],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring in {tree} failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def worktree(revision):
    """Check ``revision`` out in a temporary folder; return its path, or None
    if this clone does not have it (a shallow one)."""
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{revision}^{{commit}}"], cwd=ROOT, check=False
    )
    if known.returncode != 0:
        print(f"(no {revision} in this clone: the 'before' side is left out)")
        return None
    folder = Path(tempfile.mkdtemp()) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(folder), revision],
        cwd=ROOT,
        check=True,
    )
    return folder


def remove(tree):
    """Remove the worktree ``tree`` (if there is one)."""
    if tree is not None:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)


def postgres_database(server, template):
    """A fresh copy of the migrated template database; return its URL."""
    return server.url(server.create_database(template=template))


def sides(before_tree, server, template):
    """The sides to compare: name -> a callable that measures once."""
    found = {}
    if before_tree is not None:
        found["sqlite3, before"] = lambda n: run_side(before_tree, n)
    found["SQLAlchemy, SQLite"] = lambda n: run_side(ROOT, n)
    if server is not None:
        found["SQLAlchemy, PostgreSQL"] = lambda n: run_side(
            ROOT, n, postgres_database(server, template)
        )
    return found


@functools.cache
def start_postgres():
    """A local PostgreSQL server with a migrated template, or (None, None);
    started once per run (figures 3 and 3b share it), stopped at exit."""
    bindir = find_bindir()
    if bindir is None:
        return None, None
    server = PostgresServer(bindir)
    server.start()
    atexit.register(server.stop)
    template = server.create_database()
    subprocess.run(
        [sys.executable, "dispatcher.py", "db", "upgrade"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FLASK_DATABASE_URL": server.url(template)},
        capture_output=True,
        check=True,
    )
    return server, template


FIGURE = "3b. The profile page before and after SQLAlchemy (us/request)"


def measure(smoke=False, before=BEFORE, requests=300, rounds=5):
    """The figure's rows: each side in turn, for ``rounds`` rounds."""
    if smoke:
        requests, rounds = 20, 1
    before_tree = worktree(before)
    server, template = (None, None) if smoke else start_postgres()  # as figure 3
    try:
        measures = sides(before_tree, server, template)
        times = {name: [] for name in measures}
        for _ in range(rounds):
            for name, measure_once in measures.items():
                times[name].append(measure_once(requests) * 1e6)
    finally:
        remove(before_tree)
    first = next(iter(times))
    return [
        Row(FIGURE, name, "us/request", samples, None if name == first else first)
        for name, samples in times.items()
    ]


def main(argv=None):
    """Measure with the command line's settings and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args(argv)
    print(render(measure(False, args.before, args.requests, args.rounds)))


if __name__ == "__main__":
    main()
