"""Mail under slow, refusing and misconfigured SMTP servers: the measured
defects of issue 9, each against a real SMTP server (aiosmtpd)."""

import re

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


class HostClient(Client):
    """A test client whose every request names ``host`` in its Host header."""

    def __init__(self, app, host):
        super().__init__(app)
        self.host = host

    def open(self, *args, **kwargs):
        """Send the request to ``http://host``."""
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


@pytest.mark.parametrize("host", ["[::1]:5000", "evil.example", "127.0.0.1:8000"])
def test_the_email_never_takes_its_links_or_id_from_the_host_header(
    mail_site, smtp, database_url, host
):
    clients = {name: HostClient(mail_site, host) for name in ("bob", "alice")}
    for name, client in clients.items():
        Account(client).register(name)
    assert follow(clients["alice"], "bob").status_code == 302
    wait_for_status(database_url, "sent")
    [email] = smtp.messages
    # The Message-ID is <unique@domain of the From address>, whatever the Host.
    assert re.fullmatch(r"<[^<>@\s]+@localhost>", email["Message-ID"])
    text = email.get_body(("plain",)).get_content()
    assert "http://localhost/user/alice" in text  # the configured PUBLIC_URL
    assert host not in text
