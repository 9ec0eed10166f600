"""SQLite access: one connection per app context, the schema made on first use."""

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g

SCHEMA = Path(__file__).with_name("schema.sql").read_text()
SCHEMA_VERSION = 2


def connect(path):
    """Open ``path`` (creating the file and its tables if needed)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: writes that belong together use `transaction` explicitly.
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        conn.executescript(SCHEMA)
    use_wal(conn)
    return conn


def use_wal(conn):
    """Put the file in WAL mode: readers then never block the writer.

    The mode belongs to the file and lasts. Switching needs the file to itself
    and does not wait for other connections, so a connection that loses that
    race leaves the switch to the one that wins (or to the next connection).
    """
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass  # another connection holds the file right now


def get_db():
    """Return this app context's connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    """Close the app context's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextmanager
def transaction(db):
    """Run the block in one write transaction: all of it commits, or none."""
    # IMMEDIATE takes the write lock at once, so two writers never deadlock
    # upgrading read locks (several processes share the file).
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def init_app(app):
    """Close the connection when each app context ends."""
    app.teardown_appcontext(close_db)
