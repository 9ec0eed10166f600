"""Fixtures: each app alone, both behind the dispatcher, and logged-in helpers."""

import os

import pytest
from werkzeug.test import Client

import admin
import frontend
from dispatcher import create_application
from harness.accounts import ADMIN_PASSWORD_HASH, Account, AdminAccount
from harness.smtp import SMTPServer

SITE_PREFIXES = ("FLASK_", "FRONTEND_", "ADMIN_")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Hide the developer's site settings; keep runtime files in ``tmp_path``.

    A ``FLASK_MAIL_SERVER`` in the developer's shell must not receive test mail,
    and no test may write into the repository's ``instance/``.
    """
    for name in list(os.environ):
        if name.startswith(SITE_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def db_path(tmp_path):
    """A real SQLite file, made by the app on first use."""
    return tmp_path / "site.sqlite"


@pytest.fixture
def frontend_config(db_path):
    """The frontend's test configuration (its mail sender off: see test_mail)."""
    return {
        "TESTING": True,
        "DATABASE": str(db_path),
        "SECRET_KEY": "test-frontend",
        "MAIL_DELIVERY": False,
    }


@pytest.fixture
def admin_config(db_path):
    """The admin's test configuration, with a known admin password."""
    return {
        "TESTING": True,
        "DATABASE": str(db_path),
        "SECRET_KEY": "test-admin",
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
    return create_application(frontend_config, admin_config)


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
    """The frontend's config with its sender on, quick to poll and retry."""
    return {
        **frontend_config,
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
    site = create_application(mail_config, admin_config)
    yield site
    site.app.extensions["outbox_delivery"].stop()
