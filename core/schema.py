"""Keep the database's schema at the newest migration in ``migrations/``.

SQLite upgrades itself when the site prepares to serve (``core.prepare``,
under a file lock, so processes starting together migrate once), so ``make
run`` needs no step. Any other database is changed only by an operator: a
server started on an out-of-date schema refuses, saying to run ``python
dispatcher.py db upgrade``. Building an app does neither.
"""

import fcntl
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from core.db import MIGRATIONS
from core.extensions import db
from core.keys import write_private


class SchemaOutOfDate(RuntimeError):
    """The database is not at the newest migration, and must not be changed here."""


@cache
def head_revision():
    """The newest revision in ``migrations/`` (read once per process)."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine):
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def file_lock(path):
    """Hold an exclusive lock on ``path`` (made if needed) inside the block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def alembic_config():
    """Alembic's configuration for the active app's database."""
    return current_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))


def create_private(path):
    """Create the SQLite file readable by its owner only, if it is new (its
    -wal and -shm files take the same mode)."""
    try:
        write_private(path, "")
    except FileExistsError:
        pass


def upgrade():
    """Apply pending migrations to the active app's database."""
    command.upgrade(alembic_config(), "head")


def made_before_migrations(engine):
    """Tell whether an SQLite file has the hand-written schema of old.

    That schema set ``PRAGMA user_version = 2``; it is revision 0001 in all
    but the names of its indexes.
    """
    with engine.connect() as connection:
        version = connection.exec_driver_sql("PRAGMA user_version").scalar()
    return version == 2 and current_revision(engine) is None


def sqlite_file(app):
    """Make the app's SQLite file if it does not exist (its folder too, the
    file readable by its owner only); return its path (None on any other
    database)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private(path)
    return path


def prepare(app):
    """Bring an SQLite database up to date; leave any other database alone."""
    path = sqlite_file(app)
    if path is None:
        return
    with app.app_context():
        engine = db.engine
        if current_revision(engine) == head_revision():
            return  # the common case: one quick read
        with file_lock(path.with_name(path.name + ".migrate-lock")):
            if made_before_migrations(engine):
                command.stamp(alembic_config(), "0001")  # adopt it, keep its data
            if current_revision(engine) != head_revision():
                upgrade()


def require_current(app):
    """Refuse to serve from a database whose schema is out of date."""
    with app.app_context():
        current = current_revision(db.engine)
    if current != head_revision():
        raise SchemaOutOfDate(
            f"the database is at revision {current or 'none'}, the code needs "
            f"{head_revision()}: run `python dispatcher.py db upgrade` first"
        )
