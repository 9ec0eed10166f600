"""The databases of the tests and the benchmarks: brought to the newest
migration once, then copied for each test or site; and SQL run on a
database directly, not through an app."""

import atexit
import shutil
import tempfile
from functools import cache, lru_cache

from sqlalchemy import create_engine, text


def migrate(url):
    """Bring the database at ``url`` to the newest migration."""
    # The site is imported here, not with this module: harness.accounts and
    # harness.servers, which use query(), stay free of it.
    import frontend  # noqa: PLC0415
    from core import schema  # noqa: PLC0415
    from core.extensions import db  # noqa: PLC0415

    app = frontend.create_app({"DATABASE_URL": url, "SECRET_KEY": "migrate"})
    with app.app_context():
        schema.upgrade()
        db.engine.dispose()  # a template database must have no connections


@cache
def _sqlite_template():
    """An SQLite file at the newest migration, made once in this process and
    removed at its exit."""
    folder = tempfile.mkdtemp(prefix="site-template-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = f"{folder}/site.sqlite"
    migrate(f"sqlite:///{path}")
    return path


def migrated_sqlite(path):
    """Make ``path`` an SQLite file at the newest migration, as ``db upgrade``
    leaves it: a copy of one migrated once in this process (migrating each
    cost 0.2 s of CPU); return ``path``."""
    shutil.copyfile(_sqlite_template(), path)
    return path


@lru_cache(maxsize=8)
def _engine(url):
    # One engine per database, not one per statement: a new engine costs
    # 3 ms of CPU on SQLite and 8 ms on PostgreSQL (its first connection
    # asks the server its settings), which the tests paid on every poll of
    # the outbox. Its pool is closed where the tests close every pool.
    return create_engine(url)


def query(database_url, sql, **params):
    """Run ``sql`` on the database directly (not through an app), in a
    transaction of its own; return the rows as mappings (``row["status"]``).
    Quote ``"user"``: a PostgreSQL word."""
    with _engine(database_url).begin() as connection:
        result = connection.execute(text(sql), params)
        return result.mappings().all() if result.returns_rows else []
