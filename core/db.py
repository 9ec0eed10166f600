"""The one database both apps share: its URL, SQLite's settings, transactions.

``DATABASE_URL`` (any SQLAlchemy URL) selects it; unset, it is the SQLite file
``DATABASE`` (default ``<instance>/site.sqlite``). Flask-SQLAlchemy gives each
app its own engine (and connection pool) for that URL, and ``db.session``
is scoped to the active *application context*: each app context, of either
app, in any thread, has a session of its own, removed when it pops.
"""

import sqlite3
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

from sqlalchemy import event

from core.extensions import db


def database_url(config, instance_path):
    """The SQLAlchemy URL that ``config`` selects."""
    if config.get("DATABASE_URL"):
        return config["DATABASE_URL"]
    path = Path(config.get("DATABASE") or Path(instance_path) / "site.sqlite")
    return f"sqlite:///{path.resolve()}"


def _sqlite_connect(dbapi_connection, connection_record):
    """Set up each new SQLite connection: foreign keys, WAL."""
    # SQLAlchemy emits BEGIN itself (below), not the driver.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
    try:
        # Readers never block the writer. The mode belongs to the file; a
        # connection that finds the file busy leaves the switch to the next.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass
    # In WAL mode NORMAL never corrupts the file; it syncs at checkpoints, not
    # at every commit, so a power cut (not a crash) may lose the last commits.
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")


def _sqlite_begin(connection):
    """Begin SQLite transactions as asked: deferred, or IMMEDIATE for writes."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def transaction():
    """Run the block in one write transaction: all of it commits, or none.

    Inside another ``transaction()`` block it is part of that one. Outside,
    a read the session has open is ended first; on SQLite the write lock is
    then taken at BEGIN (IMMEDIATE), so two writers never deadlock upgrading
    read locks; PostgreSQL ignores the option.
    """
    session = db.session()  # this app context's session itself
    if session.info.get("writing"):
        yield session  # the outer block commits or rolls back
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info["writing"] = True
    try:
        yield session
        session.commit()  # inside: a constraint may fail only here, at flush
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info["writing"] = False


@contextmanager
def separate_transaction():
    """Run the block in one write transaction on a connection of its own,
    outside this app context's session; yield the connection.

    Begun as ``transaction()`` begins its own (IMMEDIATE on SQLite), for a
    short write that runs often: without the session's bookkeeping it costs
    about half as much.
    """
    with db.engine.connect() as connection:
        connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            yield connection


def insert(table):
    """An INSERT for ``table`` in the session's backend's own dialect, which
    has ON CONFLICT (SQLite and PostgreSQL alike)."""
    # The dialect's own module, loaded by the engine already (a site on
    # SQLite never imports PostgreSQL's: 40 ms of every process's start).
    backend = db.session.get_bind().dialect.name
    return import_module(f"sqlalchemy.dialects.{backend}").insert(table)


def run(statement, **params):
    """Execute a Core ``statement`` on this app context's connection.

    The pages' queries are built once, at import, with bound parameters, and
    run here, on the session's connection (its transaction, its app
    context), without the ORM's per-query machinery: about 20 µs a query
    instead of 100 (bench/profile_page.py).
    """
    return db.session.connection().execute(statement, params)


def close_connections(app):
    """Close the connections in ``app``'s pools (a process forked afterwards
    opens its own)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def init_app(app):
    """Bind the shared database to ``app``."""
    url = database_url(app.config, app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite:"):
        # A writer waits up to SQLITE_BUSY_TIMEOUT (10 s) for another's lock
        # (sqlite3's busy timeout), unless SQLALCHEMY_ENGINE_OPTIONS says so.
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault(
            "timeout", app.config["SQLITE_BUSY_TIMEOUT"]
        )
    db.init_app(app)
    if url.startswith("sqlite:"):
        with app.app_context():  # the app's own engine, made by init_app
            engine = db.engine
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
