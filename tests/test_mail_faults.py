"""Mail under slow, refusing and misconfigured SMTP servers: the measured
defects of issue 9, each against a real SMTP server (aiosmtpd)."""

import pytest
from werkzeug.test import Client

from dispatcher import create_application
from harness.accounts import Account
from harness.smtp import Logins, SMTPServer
from tests.helpers import follow, wait_for_status


@pytest.fixture
def login_smtp():
    """An SMTP server that wants the login site / 123456."""
    server = SMTPServer(logins=Logins("site", "123456"))
    server.start()
    yield server
    server.stop()


def start_site(config, admin_config):
    """The combined site, with bob and alice registered; their clients."""
    site = create_application(config, admin_config)
    clients = {name: Client(site) for name in ("bob", "alice")}
    for name, client in clients.items():
        Account(client).register(name)
    return site, clients


def test_a_password_of_digits_from_the_environment_stays_a_string(
    monkeypatch, mail_config, admin_config, login_smtp, database_url
):
    monkeypatch.setenv("FLASK_MAIL_USERNAME", "site")
    monkeypatch.setenv("FLASK_MAIL_PASSWORD", "123456")  # JSON would make it 123456
    config = {**mail_config, "MAIL_PORT": login_smtp.port}
    site, clients = start_site(config, admin_config)
    try:
        assert site.app.config["MAIL_PASSWORD"] == "123456"
        follow(clients["alice"], "bob")
        wait_for_status(database_url, "sent")
    finally:
        site.app.extensions["outbox_delivery"].stop()
    assert [m["To"] for m in login_smtp.messages] == ["bob@example.com"]
