"""Configuration layering and the secret keys of both apps."""

import threading

import pytest

import admin
import frontend
from core.keys import instance_secret
from core.prepare import prepare


def test_environment_layers(monkeypatch, tmp_path, db_path):
    monkeypatch.setenv("FLASK_MAIL_PORT", "2525")
    monkeypatch.setenv("FLASK_DATABASE", str(db_path))
    monkeypatch.setenv("FRONTEND_SECRET_KEY", "front-key")
    monkeypatch.setenv("ADMIN_SECRET_KEY", "admin-key")
    monkeypatch.setenv("ADMIN_MAIL_PORT", "2626")
    front = frontend.create_app()
    other = tmp_path / "from-test-config.sqlite"
    back = admin.create_app({"DATABASE": str(other)})
    # FLASK_* reaches both apps; values are parsed as JSON where they can be.
    assert front.config["MAIL_PORT"] == 2525
    assert front.config["DATABASE"] == str(db_path)
    # FRONTEND_* and ADMIN_* reach one app each, after FLASK_*.
    assert back.config["MAIL_PORT"] == 2626
    assert front.config["SECRET_KEY"] == "front-key"
    assert back.config["SECRET_KEY"] == "admin-key"
    # test_config comes last.
    assert back.config["DATABASE"] == str(other)
    # Without FLASK_DATABASE_URL, FLASK_DATABASE names the SQLite file.
    assert front.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{db_path}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SECRET_KEY", "one-key-for-both"), ("SECRET_KEY_FALLBACKS", '["old-key"]')],
)
def test_a_shared_secret_key_is_refused(monkeypatch, variable, value):
    # A fallback shared by both apps is the same risk as a shared key.
    monkeypatch.setenv(f"FLASK_{variable}", value)
    with pytest.raises(RuntimeError, match=f"FRONTEND_{variable} and ADMIN_{variable}"):
        frontend.create_app()


def test_keys_are_generated_once_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_DATABASE", str(tmp_path / "site.sqlite"))
    first = frontend.create_app(), admin.create_app()
    assert sorted(tmp_path.iterdir()) == []  # building an app writes nothing
    prepare(first)  # what serve and the WSGI application do first
    again = frontend.create_app(), admin.create_app()
    assert first[0].config["SECRET_KEY"] != first[1].config["SECRET_KEY"]
    assert [a.config["SECRET_KEY"] for a in first] == [
        a.config["SECRET_KEY"] for a in again
    ]
    key_file = tmp_path / "frontend-secret-key"
    assert key_file.read_text() == first[0].config["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    database = f"sqlite:///{tmp_path / 'site.sqlite'}"
    assert first[0].config["SQLALCHEMY_DATABASE_URI"] == database


def test_processes_starting_together_share_one_key(tmp_path):
    path = tmp_path / "key"
    keys = []
    threads = [
        threading.Thread(target=lambda: keys.append(instance_secret(path)))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 16
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["key"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSION_COOKIE_NAME", ("frontend_session", "admin_session")),
        ("SESSION_COOKIE_PATH", (None, None)),
        ("APPLICATION_ROOT", ("/", "/admin")),
    ],
)
def test_apps_differ_where_they_must(frontend_app, admin_app, name, value):
    assert (frontend_app.config[name], admin_app.config[name]) == value


def test_no_test_mails_the_default_port_where_make_run_may_listen():
    # tests/conftest.py gives every test a port nothing listens on; the docs'
    # examples run under it too (test_docs.py).
    assert frontend.create_app().config["MAIL_PORT"] != 8025
    assert admin.create_app().config["MAIL_PORT"] != 8025
