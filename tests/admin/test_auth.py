"""The admin login guarding every admin page."""

import pytest

import admin
from admin.auth import ensure_credentials
from harness.accounts import ADMIN_PASSWORD_HASH, AdminAccount, submit


@pytest.mark.parametrize(
    ("path", "login_url"),
    [
        # The admin's own test client runs under APPLICATION_ROOT, as if mounted.
        ("/", "/admin/login?next=%2Fadmin%2F"),
        ("/hello", "/admin/login?next=%2Fadmin%2Fhello"),
        ("/context?x=1", "/admin/login?next=%2Fadmin%2Fcontext%3Fx%3D1"),
    ],
)
def test_pages_need_login(admin_client, path, login_url):
    response = admin_client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == login_url


def test_unknown_url_is_the_admin_404_page_even_logged_out(admin_client):
    response = admin_client.get("/nope")
    assert response.status_code == 404
    assert "Admin: 404 Not Found" in response.get_data(as_text=True)


def test_login_page_and_static_are_public(admin_client):
    assert admin_client.get("/login").status_code == 200
    with admin_client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert "The admin's stylesheet" in response.get_data(as_text=True)


def test_login_then_pages_then_logout(admin_account, admin_client):
    response = admin_account.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = admin_client.get("/").get_data(as_text=True)
    assert "Logged in as admin." in page
    assert "Hello from the admin" in admin_client.get("/hello").get_data(True)
    admin_account.logout()
    assert admin_client.get("/").status_code == 302


def test_logging_out_needs_no_login_as_on_the_frontend(admin_client):
    # A session already ended (by another tab) still gets the logged-out
    # page, as the frontend's /logout does, not the login form's "next".
    response = submit(admin_client, "/logout", {}, form_url="/login")
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/login")
    assert "Logged out." in admin_client.get("/login").get_data(as_text=True)


def test_login_follows_local_next(admin_account):
    response = admin_account.login(query="?next=/admin/context")
    assert response.headers["Location"] == "/admin/context"


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "wrong"), ("root", "correct horse battery staple")],
)
def test_wrong_credentials(admin_account, admin_client, username, password):
    response = admin_account.login(username, password)
    assert response.status_code == 400
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert admin_client.get("/").status_code == 302


def test_unconfigured_admin_cannot_log_in(admin_config):
    app = admin.create_app({**admin_config, "ADMIN_PASSWORD_HASH": None})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "The admin login is not configured" in page
    response = AdminAccount(client, "").login(password="anything")
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_ensure_credentials_makes_a_working_password(admin_config):
    app = admin.create_app({**admin_config, "ADMIN_PASSWORD_HASH": None})
    password = ensure_credentials(app)
    assert password and len(password) >= 16
    response = AdminAccount(app.test_client(), "").login(password=password)
    assert response.status_code == 302


def test_ensure_credentials_keeps_a_configured_hash(admin_app):
    assert ensure_credentials(admin_app) is None
    assert admin_app.config["ADMIN_PASSWORD_HASH"] == ADMIN_PASSWORD_HASH
