"""The data layer: one database for both apps, its migrations and transactions.

Most tests run on SQLite and on a real PostgreSQL server in turn.
"""

import gc
import os
import sqlite3
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from werkzeug.security import generate_password_hash

import admin
import frontend
from core import schema
from core.accounts import follows, users
from core.db import transaction
from core.extensions import db
from core.mail import claims, housekeeping, outbox
from core.prepare import prepare
from harness.accounts import CHEAP_HASH, Account
from harness.databases import query
from harness.local import wait_until
from harness.servers import ROOT
from tests.helpers import run_in_repository

PASSWORD_HASH = generate_password_hash("pw-12345678", method=CHEAP_HASH)

both_backends = pytest.mark.both_backends
DATA = ROOT / "tests" / "data"


@both_backends
def test_an_empty_database_upgrades_through_every_revision(frontend_app):
    with frontend_app.app_context():
        schema.alembic("downgrade", "base")  # empty (a no-op on a new PG database)
        assert schema.current_revision(db.engine) is None
        schema.alembic("upgrade", "0001")
        with transaction() as session:
            session.execute(
                text(
                    "INSERT INTO outbox (message_id, sender, recipient, subject, body,"
                    " html, created_at, next_attempt_at)"
                    " VALUES ('<1@x>', 'Site <s@x>', 'r@x', 's', 'b', 'h', 0, 0)"
                )
            )
        schema.upgrade()
        assert schema.current_revision(db.engine) == schema.head_revision()
        [row] = housekeeping.page(1, 10)[0]
    assert (row.message_id, row.from_address) == ("<1@x>", "Site <s@x>")


@both_backends
def test_the_models_and_the_migrations_agree(frontend_app):
    with frontend_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, db.metadata) == []


OLD_USERS = [  # before 0008, three accounts and one mailbox between two
    ("alice", "victim@example.com"),
    ("bob", "victim@\uff45xample.com"),  # a fullwidth e: the same mailbox
    ("carol", "carol@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com"),
]


@both_backends
def test_the_account_keys_migration_keeps_colliding_accounts_and_names_them(
    frontend_app, caplog
):
    with frontend_app.app_context():
        schema.alembic("downgrade", "0007")
        insert_user = text(
            'INSERT INTO "user" (nickname, email, password_hash, created_at)'
            " VALUES (:nickname, :email, 'x', 0)"
        )
        with transaction() as session:
            for nickname, email in OLD_USERS:
                session.execute(insert_user, {"nickname": nickname, "email": email})
        with caplog.at_level("WARNING", logger="alembic"):
            schema.alembic("upgrade", "head")
        rows = db.session.execute(
            text('SELECT id, nickname, email, email_key FROM "user" ORDER BY id')
        ).all()
        bob_id = rows[1].id
        assert [tuple(row)[1:] for row in rows] == [
            ("alice", "victim@example.com", "victim@example.com"),
            ("bob", OLD_USERS[1][1], f"victim@example.com#{bob_id}"),
            ("carol", "carol@example.com", "carol@example.com"),
        ]
        assert f"user {bob_id} (bob, {OLD_USERS[1][1]}) has the email_key" in (
            caplog.text
        )
        assert users.find_by_email(OLD_USERS[1][1]).nickname == "alice"
        assert users.find_user("BOB").email == OLD_USERS[1][1]
        db.session.rollback()
        schema.alembic("downgrade", "0007")  # and back: the old indexes take the rows
        schema.alembic("upgrade", "head")


@pytest.fixture
def fresh_config(frontend_config, tmp_path):
    """The frontend's config on an SQLite file that does not exist yet."""
    return {**frontend_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite'}"}


def test_building_an_app_writes_nothing_and_prepare_migrates(fresh_config, tmp_path):
    app = frontend.create_app({**fresh_config, "SECRET_KEY": None})
    made = {path.name for path in tmp_path.iterdir()}
    assert "new.sqlite" not in made and "instance" not in made  # nothing written
    prepare([app])
    assert (tmp_path / "new.sqlite").exists()
    assert (tmp_path / "instance" / "frontend-secret-key").exists()
    with app.app_context():
        assert schema.current_revision(db.engine) == schema.head_revision()
        mode = db.session.execute(text("PRAGMA journal_mode")).scalar()
    assert mode == "wal"  # readers never wait for the writer


def test_prepare_leaves_no_connection_for_forked_workers_to_share(fresh_config):
    # gunicorn forks its workers after preparing (preload_app): a connection
    # left in a pool would be used by several processes at once.
    apps = [frontend.create_app(fresh_config), admin.create_app(fresh_config)]
    prepare(apps)
    for app in apps:
        with app.app_context():
            assert db.engine.pool.checkedin() == 0


@pytest.mark.parametrize("trial", range(5))  # the race is rare: try it often
def test_apps_prepared_at_once_on_a_new_file_all_work(fresh_config, trial):
    # gunicorn workers start together on a fresh file: one migrates it.
    apps = [frontend.create_app(fresh_config) for _ in range(6)]
    barrier, outcomes = threading.Barrier(6), []

    def build(app):
        barrier.wait()
        try:
            prepare([app])
            with app.app_context():
                outcomes.append(len(users.list_users()))
        except Exception as error:
            outcomes.append(error)

    threads = [threading.Thread(target=build, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [0] * 6


@both_backends
def test_each_app_context_has_its_own_session_and_gives_back_its_connection(
    frontend_app, admin_app
):
    with frontend_app.app_context():
        front_session = db.session()
        users.list_users()
        with admin_app.app_context():  # the other app, inside: another session
            assert db.session() is not front_session
            users.list_users()
        assert db.session() is front_session
        engine = db.engine
    # Popping the app context removed the session: no connection is left out.
    assert engine.pool.checkedout() == 0


@both_backends
def test_a_follow_and_its_email_commit_together_or_not_at_all(frontend_app):
    with frontend_app.app_context():
        with transaction():
            alice = users.create_user("alice", "alice@example.com", PASSWORD_HASH)
            bob = users.create_user("bob", "bob@example.com", PASSWORD_HASH)
        with pytest.raises(RuntimeError), transaction():
            follows.follow(alice.id, bob.id)
            outbox.enqueue("s@x", bob.email, "s", "b", "h")
            raise RuntimeError("the request failed after both writes")
        assert not follows.is_following(alice.id, bob.id)
        assert housekeeping.page(1, 10)[0] == []


@both_backends
def test_nicknames_and_addresses_are_unique_by_their_keys(frontend_app):
    with frontend_app.app_context():
        with transaction():
            users.create_user("Alice", "a@example.com", PASSWORD_HASH)
        with pytest.raises(users.AccountTaken), transaction():
            users.create_user("aLICE", "b@example.com", PASSWORD_HASH)
        with pytest.raises(users.AccountTaken), transaction():
            users.create_user("carol", "A@Example.com", PASSWORD_HASH)  # same address
        with pytest.raises(users.AccountTaken), transaction():
            users.create_user("dave", "a@\uff45xample.com", PASSWORD_HASH)  # same too
        assert users.find_user("ALICE").nickname == "Alice"
        assert users.find_by_email("a@EXAMPLE.com").nickname == "Alice"


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_claims_skip_rows_another_sender_holds(frontend_app, database_url):
    with frontend_app.app_context():
        with transaction():
            ids = [outbox.enqueue("s@x", "r@x", "s", "b", "h") for _ in range(4)]
    holder = db.create_engine(database_url)
    try:
        with holder.begin() as connection:
            # Another machine's sender is in the middle of claiming two rows.
            connection.execute(
                text("SELECT id FROM outbox WHERE id IN (:a, :b) FOR UPDATE"),
                {"a": ids[0], "b": ids[1]},
            )
            claimed = []
            claimer = threading.Thread(
                target=lambda: claimed.extend(claim_in(frontend_app))
            )
            claimer.start()
            claimer.join(timeout=10)
            assert not claimer.is_alive(), "the claim waited for the locked rows"
    finally:
        holder.dispose()
    assert [row.id for row in claimed] == ids[2:]


def claim_in(app):
    """Claim due messages as a delivery thread of ``app`` would."""
    with app.app_context():
        return claims.claim("other-sender", limit=10, lease=60)


def dispatcher_command(database_url, *args, check=True):
    """Run ``python dispatcher.py ARGS`` against ``database_url``."""
    env = {"PATH": os.environ["PATH"], "FLASK_DATABASE_URL": database_url}
    return run_in_repository(["dispatcher.py", *args], env, check)


def test_postgresql_is_upgraded_by_the_operator_never_behind_their_back(postgres):
    url = postgres.url(postgres.create_database())  # empty: no migration yet
    refused = dispatcher_command(url, "serve", "--port", "1", check=False)
    assert refused.returncode == 1
    head = schema.head_revision()
    assert f"the database is at revision none, the code needs {head}" in refused.stderr
    assert "run `python dispatcher.py db upgrade` first" in refused.stderr
    dispatcher_command(url, "db", "upgrade")
    assert f"{head} (head)" in dispatcher_command(url, "db", "current").stdout
    app = admin.create_app({"DATABASE_URL": url, "SECRET_KEY": "a"})
    schema.require_current(app)  # the server may start now
    assert query(url, 'SELECT count(*) AS n FROM "user"')[0]["n"] == 0


def test_the_head_read_from_the_files_is_alembics():
    alembics = ScriptDirectory(str(schema.MIGRATIONS)).get_current_head()
    assert schema.head_revision() == alembics


def test_a_server_on_current_sqlite_imports_neither_alembic_nor_postgresql(
    database_url,
):
    # Alembic is a quarter second of every server's start, PostgreSQL's
    # dialect 40 ms: only a change of schema needs the one, another
    # database the other.
    code = (
        "import sys, dispatcher\n"
        "dispatcher.application\n"
        "print(sorted(m for m in sys.modules if m.startswith("
        "('alembic', 'sqlalchemy.dialects.postgresql'))))"
    )
    env = {"PATH": os.environ["PATH"], "FLASK_DATABASE_URL": database_url}
    served = run_in_repository(["-c", code], env)
    assert served.stdout.strip() == "[]"


def test_an_sqlite_file_from_before_the_migrations_is_adopted(fresh_config, tmp_path):
    # A site.sqlite made by the hand-written schema (PRAGMA user_version = 2).
    legacy = sqlite3.connect(tmp_path / "new.sqlite")
    legacy.executescript((DATA / "pre_migrations_schema.sql").read_text())
    legacy.execute(
        "INSERT INTO user (nickname, email, password_hash) VALUES ('old', 'o@x', 'h')"
    )
    legacy.execute(
        "INSERT INTO outbox (message_id, sender, recipient, subject, body, html,"
        " created_at, next_attempt_at) VALUES ('<1@x>', 's@x', 'r@x', 's', 'b', 'h',"
        " 0, 0)"
    )
    legacy.commit()
    legacy.close()
    app = frontend.create_app(fresh_config)
    prepare([app])
    with app.app_context():
        assert schema.current_revision(db.engine) == schema.head_revision()
        assert users.find_user("OLD").email == "o@x"
        [message] = housekeeping.page(1, 10)[0]
    assert message.from_address == "s@x"


@both_backends
def test_a_transaction_inside_another_is_part_of_it(frontend_app):
    with frontend_app.app_context():
        with pytest.raises(RuntimeError), transaction():
            alice = users.create_user("alice", "alice@example.com", PASSWORD_HASH)
            users.update_user(alice.id, notify_followers=False)  # a transaction too
            raise RuntimeError("the outer block fails after both")
        assert users.find_user("alice") is None  # the inner one was not committed


def test_on_a_fresh_clone_the_db_commands_make_the_file_and_do_only_what_asked(
    tmp_path,
):
    # No instance folder yet: building the apps writes nothing, so the db
    # commands make the SQLite file themselves; and they migrate only when
    # asked (a downgrade is not undone by the next command).
    env = {"PATH": os.environ["PATH"], "FLASK_INSTANCE_PATH": str(tmp_path / "new")}

    def db(*args):
        return run_in_repository(["dispatcher.py", "db", *args], env).stdout

    db("upgrade")
    assert db("current").startswith(schema.head_revision())
    db("downgrade")
    assert db("current").strip() == "0007"
    assert (tmp_path / "new" / "site.sqlite").stat().st_mode & 0o777 == 0o600


def test_registering_holds_no_write_lock_while_it_hashes(frontend_config, db_path):
    # On SQLite (this test's backend) a write transaction holds the
    # database's one write lock. Hashed inside it, scrypt held the lock the
    # whole time it ran, and every other writer (a follow, a login's count,
    # mail delivery) waited. Here a second writer takes and gives back the
    # lock again and again all through a registration at full cost; the
    # longest it goes without it must be well under one hash.
    method = "scrypt:65536:8:1"
    started = time.perf_counter()
    generate_password_hash("a password", method=method)
    one_hash = time.perf_counter() - started
    client = frontend.create_app(
        {**frontend_config, "PASSWORD_HASH_METHOD": method}
    ).test_client()
    client.get("/register")  # the database's first connection, made
    taken, done = [], threading.Event()

    def other_writer():
        connection = sqlite3.connect(db_path, timeout=0.01, isolation_level=None)
        while not done.is_set():
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                taken.append(time.perf_counter())
            except sqlite3.OperationalError:
                pass  # locked: try again
        connection.close()

    # A full garbage collection stops both threads, whoever holds the lock
    # (100 to 200 ms in a test process that has run many tests).
    gc.collect()
    gc.disable()
    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        wait_until(lambda: taken, message="the other writer at work")
        assert Account(client).register("ann").status_code == 302
        registered = time.perf_counter()
        wait_until(lambda: taken[-1] > registered, message="a turn after it")
    finally:
        done.set()
        writer.join()
        gc.enable()
    longest = max(b - a for a, b in zip(taken, taken[1:], strict=False))
    assert longest < one_hash / 2, (
        f"locked out {longest:.3f} s; a hash {one_hash:.3f} s"
    )
