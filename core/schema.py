"""Keep the database's schema at the newest migration in ``migrations/``.

SQLite upgrades itself when the site prepares to serve (``core.prepare``,
under a file lock, so processes starting together migrate once), so ``make
run`` needs no step. Any other database is changed only by an operator: a
server started on an out-of-date schema refuses, saying to run ``python
dispatcher.py db upgrade``. Building an app does neither.

Only what changes a schema imports Alembic (``alembic``, ``migrations``): a
server that finds its database current never does, which spares every
server process, gunicorn worker and deliverer a quarter second of its start.
"""

import ast
import fcntl
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from core.keys import write_private

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "alembic_version"  # where Alembic keeps a database's revision


class SchemaOutOfDate(RuntimeError):
    """The database is not at the newest migration, and must not be changed here."""


@cache
def head_revision():
    """The newest revision in ``migrations/versions`` (read once per process):
    the one no other revises, read from each file's ``revision`` and
    ``down_revision`` as Alembic reads them (tests/test_database.py checks
    that Alembic finds the same)."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = {
            target.id: ast.literal_eval(node.value)
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if getattr(target, "id", None) in ("revision", "down_revision")
        }
        revisions.add(values["revision"])
        down = values["down_revision"]
        revised.update(down if isinstance(down, tuple) else [down])
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"migrations/versions has heads {sorted(heads)}: merge them")
    return heads.pop()


def current_revision(engine):
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return None
        query = f"SELECT version_num FROM {VERSION_TABLE}"
        return connection.exec_driver_sql(query).scalar()


def migrations(app):
    """Give ``app`` Flask-Migrate (once), which runs Alembic on its database:
    for the ``db`` commands and ``upgrade``."""
    from flask_migrate import Migrate  # noqa: PLC0415 (Alembic, only here)

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


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
    migrations(current_app)
    return current_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))


def create_private(path):
    """Create the SQLite file readable by its owner only, if it is new (its
    -wal and -shm files take the same mode)."""
    try:
        write_private(path, "")
    except FileExistsError:
        pass


def alembic(action, revision):
    """Run Alembic's ``action`` (upgrade, downgrade, stamp) to ``revision``
    on the active app's database."""
    from alembic import command  # noqa: PLC0415 (only when changing a schema)

    getattr(command, action)(alembic_config(), revision)


def upgrade():
    """Apply pending migrations to the active app's database."""
    alembic("upgrade", "head")


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
                alembic("stamp", "0001")  # adopt it, keep its data
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
