"""Forms submitted with their CSRF token, and the accounts that use them."""

import re
from urllib.parse import quote, urlsplit

from werkzeug.security import generate_password_hash

from harness.databases import query

# The tests hash passwords cheaply (PASSWORD_HASH_METHOD): scrypt is slow on
# purpose, and the tests register and log in hundreds of times.
CHEAP_HASH = "pbkdf2:sha256:1"
ADMIN_PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD_HASH = generate_password_hash(ADMIN_PASSWORD, method=CHEAP_HASH)

CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://\S+/confirm/[\w.-]+")


def csrf_token(html):
    """Return the CSRF token of the first form in ``html``."""
    match = CSRF_FIELD.search(html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def submit(client, url, data, form_url=None):
    """GET the form at ``form_url`` (default ``url``), then POST it with ``data``.

    The POST carries the page's CSRF token, as a browser's would. Both responses
    are buffered, so their app iterators are read and closed (as WSGI requires).
    """
    page = client.get(form_url or url, buffered=True)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, buffered=True)


class Account:
    """Register, log in and out of the frontend through its forms."""

    def __init__(self, client):
        self.client = client

    def register(self, nickname="alice", email=None, password="s3cret-pass"):
        """Register ``nickname`` (which logs it in)."""
        if email is None:
            email = f"{nickname}@example.com"
        data = {"nickname": nickname, "email": email, "password": password}
        return submit(self.client, "/register", data)

    def login(self, nickname="alice", password="s3cret-pass", next_url=None):
        """Log in, optionally with a ``next`` query argument."""
        url = (
            "/login" if next_url is None else f"/login?next={quote(next_url, safe='')}"
        )
        return submit(self.client, url, {"nickname": nickname, "password": password})

    def logout(self):
        """Log out with the POST form of the nav bar."""
        return submit(self.client, "/logout", {}, form_url="/")


class AdminAccount:
    """Log in and out of the admin through its forms, under ``prefix``."""

    def __init__(self, client, prefix):
        self.client = client
        self.prefix = prefix

    def login(self, username="admin", password=ADMIN_PASSWORD, query=""):
        """Log in as the admin."""
        url = f"{self.prefix}/login{query}"
        data = {"username": username, "password": password}
        return submit(self.client, url, data)

    def logout(self):
        """Log out with the POST form of the nav bar."""
        url = f"{self.prefix}/logout"
        return submit(self.client, url, {}, form_url=f"{self.prefix}/")


def confirmation_link(database_url, email):
    """The link of the newest confirmation email to ``email``, from the outbox."""
    rows = query(
        database_url,
        "SELECT body FROM outbox WHERE recipient = :email"
        " AND subject LIKE 'Confirm%' ORDER BY id DESC LIMIT 1",
        email=email,
    )
    assert rows, f"no confirmation email to {email}"
    return CONFIRM_LINK.search(rows[0]["body"]).group(0)


def confirm_address(client, database_url, email):
    """Open the confirmation link sent to ``email``, as its owner would."""
    parts = urlsplit(confirmation_link(database_url, email))
    response = client.get(parts.path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response
