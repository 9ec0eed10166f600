"""Fixtures: each app alone, both behind the dispatcher, and logged-in helpers."""

import gc
import os
import shutil
import tempfile
import weakref

import psycopg
import pytest
from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy import Engine, event
from werkzeug.test import Client

import admin
import frontend
from core import schema
from dispatcher import create_site
from harness.accounts import (
    ADMIN_PASSWORD_HASH,
    CHEAP_HASH,
    Account,
    AdminAccount,
)
from harness.databases import migrate, migrated_sqlite, query
from harness.local import free_port, wait_until
from harness.postgres import PostgresServer, find_bindir, shared, stop_shared
from harness.smtp import SMTPServer
from tests.helpers import register_confirmed, unavailable, wait_for_status

SITE_PREFIXES = ("FLASK_", "FRONTEND_", "ADMIN_")


class SharedBytecode(BytecodeCache):
    """Compiled templates, kept in memory for every app of this process.

    Each test builds its own apps, and each app's Jinja environment compiled
    again every template it rendered: a fifth of the time of the tests that
    run in this process. Jinja keys the code by template file and checks the
    source's checksum, so an edited template is compiled afresh.
    """

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        """Give ``bucket`` the code compiled before, if any."""
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        """Keep the code just compiled."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecode()}


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Hide the developer's site settings; keep runtime files in ``tmp_path``;
    send mail to no server the test did not start.

    A ``FLASK_MAIL_SERVER`` in the developer's shell must not receive test mail,
    and no test may write into the repository's ``instance/``.
    """
    for name in list(os.environ):
        if name.startswith(SITE_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path / "instance"))
    # Never the default 8025, where a developer's `make run` may listen: a
    # port nothing listens on, unless the test starts its own SMTP server.
    monkeypatch.setenv("FLASK_MAIL_PORT", str(free_port()))


# The files that take longest (pytest --durations=0, summed per file), the
# longest first. `make test` hands whole files to its workers in collection
# order (--no-loadscope-reorder): started last, one of these would run alone
# at the end while the other workers idle.
SLOWEST_FILES = [
    "tests/test_bench_mail.py",
    "tests/test_bench_servers.py",
    "tests/test_bench.py",
    "tests/test_mail.py",
    "tests/e2e/test_browser.py",
    "tests/e2e/test_servers.py",
    "tests/e2e/test_bursts.py",
    "tests/test_database.py",
    "tests/test_notifications.py",
    "tests/frontend/test_auth.py",
    "tests/e2e/test_mail_servers.py",
    "tests/test_throttle.py",
    "tests/test_mail_faults.py",
    "tests/e2e/test_two_servers.py",
    "tests/test_security.py",
    "tests/e2e/test_concurrency.py",
    "tests/e2e/test_redis_limits.py",
    "lens/tests/test_lens_install.py",
]


def pytest_collection_finish(session):
    """Keep what the imports made out of the garbage collector's full passes.

    Every test builds apps and drops them, so full passes come often, and
    each walked every object of every module imported (up to a tenth of the
    CPU of the tests that run in this process).
    """
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    """Run the slowest files first, the others after, in their own order."""
    rank = {path: n for n, path in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_generate_tests(metafunc):
    """Run the tests of modules marked ``both_backends`` on each database."""
    marked = metafunc.definition.get_closest_marker("both_backends")
    if marked and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request):
    """The test's database backend: SQLite, unless parametrized above."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres(request):
    """A real PostgreSQL server for the whole run, with a migrated template;
    under ``make test`` one server for all its test processes.

    Skipped where PostgreSQL is not installed, unless ``REQUIRE_POSTGRES=1``
    (as in CI, where ``.ci/run`` installs it): then its absence fails.
    """
    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL is not installed (.ci/run installs Debian's postgresql)"
        unavailable("REQUIRE_POSTGRES", reason)
    worker = getattr(request.config, "workerinput", None)
    if worker is None:  # the only test process: a server of its own
        server = PostgresServer(bindir)
        server.start()
        make_template(server)
    else:  # stopped by the main process (pytest_unconfigure)
        # Named after the process: xdist gives a worker it restarts the same id.
        name = f"{worker['workerid']}_{os.getpid()}"
        server = shared(worker["postgres_state"], bindir, make_template, name)
    server.spare = []  # copies of the template that tests used and emptied
    yield server
    dispose_engines(lambda url: url.port == server.port)
    if worker is None:
        server.stop()


def make_template(server):
    """Give ``server`` a database at the newest migration, to copy."""
    server.template = server.create_database()
    migrate(server.url(server.template))


# xdist's test processes share one PostgreSQL server: a server of each one's
# own took 2 s of CPU to make, start and migrate, three times over.
def pytest_configure(config):
    """In the main process, a folder where the shared server is found."""
    if not hasattr(config, "workerinput"):
        config.postgres_state = tempfile.mkdtemp(prefix="site-tests-")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Tell each xdist test process where the shared server is found."""
    node.workerinput["postgres_state"] = node.config.postgres_state


def pytest_unconfigure(config):
    """Stop the shared server, the test processes done."""
    state = getattr(config, "postgres_state", None)
    if state is not None:
        stop_shared(state)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def db_path(tmp_path):
    """Where the SQLite backend keeps the test's database file."""
    return tmp_path / "site.sqlite"


@pytest.fixture
def migrated_instance(tmp_path):
    """``tmp_path`` as a server's instance folder whose database is at the
    newest migration already, as ``db upgrade`` leaves it: started on an
    empty folder, a server migrates first, 0.4 s of CPU (test_servers.py's
    development server tests still start from an empty one)."""
    migrated_sqlite(tmp_path / "site.sqlite")
    return tmp_path


_engines = weakref.WeakSet()  # every engine that has connected, to dispose


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection):
    _engines.add(connection.engine)


def dispose_engines(matches):
    """Close the pools of the engines whose URL ``matches``."""
    for engine in list(_engines):
        if matches(engine.url):
            engine.dispose()


@pytest.fixture(autouse=True)
def close_connections():
    """Close every pool a test's apps opened, when the test ends.

    An app's engine lives as long as the app; a connection left in its pool
    would otherwise be closed by the garbage collector, in a later test.
    """
    yield
    dispose_engines(lambda url: True)


@pytest.fixture
def database_url(request, backend, db_path):
    """A fresh, migrated database of the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{migrated_sqlite(db_path)}"
        return
    postgres = request.getfixturevalue("postgres")
    if postgres.spare:
        name = postgres.spare.pop()
    else:
        name = postgres.create_database(template=postgres.template)
    yield postgres.url(name)
    # Close the pools of the test's apps before the database is emptied.
    dispose_engines(lambda url: url.database == name)
    if emptied(postgres, name):
        postgres.spare.append(name)
    else:
        postgres.drop_database(name)


def emptied(postgres, name):
    """Empty every table of ``name`` (but Alembic's version), if nothing is
    connected to it and it is at the newest migration; tell whether it was.

    The next test takes it as a fresh copy of the template: copying the
    template took the server 0.2 to 0.4 s of CPU a test, emptying it a tenth
    of that. Anything else is dropped, as every database used to be.
    """
    try:
        with postgres.connect(name) as connection:
            connection.execute("SET lock_timeout = '2s'")
            # The server processes of the connections just closed end soon.
            wait_until(lambda: alone(connection), timeout=1, message="alone")
            version = schema.VERSION_TABLE
            revisions = connection.execute(f"SELECT version_num FROM {version}")
            if revisions.fetchall() != [(schema.head_revision(),)]:
                return False
            tables = connection.execute(
                "SELECT quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> %s",
                (version,),
            ).fetchall()
            names = ", ".join(table for (table,) in tables)
            connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    except (psycopg.Error, AssertionError):  # AssertionError: not alone
        return False
    return True


def alone(connection):
    """Tell whether ``connection`` is the only one to its database."""
    others = connection.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return others.fetchone()[0] == 0


@pytest.fixture
def frontend_config(database_url):
    """The frontend's test configuration (its mail delivery off: see test_mail)."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "PUBLIC_URL": "http://localhost",
        "SECRET_KEY": "test-frontend",
        "PASSWORD_HASH_METHOD": CHEAP_HASH,
        "MAIL_DELIVERY": False,
    }


@pytest.fixture
def admin_config(database_url):
    """The admin's test configuration, with a known admin password."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-admin",
        "PASSWORD_HASH_METHOD": CHEAP_HASH,
        "ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }


@pytest.fixture
def frontend_app(frontend_config):
    """The frontend app alone."""
    return frontend.create_app(frontend_config)


@pytest.fixture
def admin_app(admin_config):
    """The admin app alone."""
    return admin.create_app(admin_config)


@pytest.fixture
def site(frontend_config, admin_config):
    """Both apps behind the dispatcher, as ``dispatcher.application`` is built."""
    return create_site(frontend_config, admin_config)


@pytest.fixture
def site_client(site):
    """A werkzeug test client of the combined site (it keeps cookies)."""
    return Client(site)


@pytest.fixture
def frontend_client(frontend_app):
    """The frontend's own test client."""
    return frontend_app.test_client()


@pytest.fixture
def admin_client(admin_app):
    """The admin's own test client."""
    return admin_app.test_client()


@pytest.fixture
def account(frontend_client):
    """Frontend account actions on the frontend alone."""
    return Account(frontend_client)


@pytest.fixture
def admin_account(admin_client):
    """Admin login actions on the admin alone (no mount prefix)."""
    return AdminAccount(admin_client, prefix="")


@pytest.fixture
def both_logged_in(site_client):
    """The site client, logged into the frontend as alice and into the admin."""
    Account(site_client).register("alice")
    AdminAccount(site_client, "/admin").login()
    return site_client


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, stopped after the test."""
    server = SMTPServer()
    server.start()
    yield server
    server.recorder.open.set()
    server.stop()


@pytest.fixture
def mail_config(frontend_config, smtp):
    """The frontend's config with its sender on, quick to poll and retry.

    The mail tests register crowds from one address (127.0.0.1), which the
    per-client rate limits would refuse: they are off here, as for a load
    test (tests/test_throttle.py tests them).
    """
    return {
        **frontend_config,
        "RATELIMIT_ENABLED": False,
        "MAIL_DELIVERY": True,
        "MAIL_PORT": smtp.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_POLL_SECONDS": 0.2,
        "MAIL_RETRY_SECONDS": 0.2,
        "MAIL_RETRY_MAX_SECONDS": 1.0,
    }


@pytest.fixture
def mail_site(mail_config, admin_config):
    """The combined site whose frontend delivers mail to ``smtp``."""
    site = create_site(mail_config, admin_config)
    site.services.start()
    yield site
    site.services.stop()


@pytest.fixture
def users(mail_site, database_url, smtp):
    """Clients of bob and alice, registered, confirmed and logged in; the
    tests start from an empty outbox and mailbox (the confirmations gone)."""
    clients = {}
    for nickname in ("bob", "alice"):
        clients[nickname] = Client(mail_site)
        register_confirmed(clients[nickname], nickname, database_url)
    wait_for_status(database_url, "sent", count=2, confirmations=True)
    query(database_url, "DELETE FROM outbox")
    smtp.recorder.messages.clear()
    return clients
