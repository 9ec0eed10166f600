"""Registering, logging in and out of the frontend."""

import pytest

from harness.databases import query

pytestmark = pytest.mark.both_backends


def users_in(database_url):
    """Read the nicknames straight from the SQLite file."""
    return [
        row["nickname"] for row in query(database_url, 'SELECT nickname FROM "user"')
    ]


def test_register_logs_in_and_stores_the_user(account, frontend_client, database_url):
    response = account.register("alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/user/alice"
    page = frontend_client.get("/user/alice").get_data(as_text=True)
    assert "Welcome, alice!" in page
    assert "Log out" in page
    assert users_in(database_url) == ["alice"]


def test_password_is_stored_hashed(account, database_url):
    account.register("alice", password="s3cret-pass")
    [row] = query(database_url, 'SELECT password_hash FROM "user"')
    stored = row["password_hash"]
    assert "s3cret-pass" not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.parametrize(
    ("nickname", "email", "password", "message"),
    [
        ("", "a@example.com", "s3cret-pass", "This field is required."),
        ("bad name!", "a@example.com", "s3cret-pass", "Use only letters, digits"),
        ("ab", "a@example.com", "s3cret-pass", "between 3 and 32 characters"),
        ("x" * 33, "a@example.com", "s3cret-pass", "between 3 and 32 characters"),
        ("alice", "not-an-email", "s3cret-pass", "must have an @-sign."),
        # Flask-Mail cannot send to it (no SMTPUTF8): refused here, not a 500.
        ("alice", "ünicode@example.com", "s3cret-pass", "before the @-sign are not"),
        ("alice", "\u0456van@example.com", "s3cret-pass", "before the @-sign are not"),
        ("alice", "", "s3cret-pass", "This field is required."),
        ("alice", "a@example.com", "short", "between 8 and 128 characters"),
    ],
)
def test_register_bad_input_shows_the_form_again(
    account, database_url, nickname, email, password, message
):
    response = account.register(nickname, email=email, password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert users_in(database_url) == []


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
def test_register_taken_nickname(frontend_app, account, taken):
    account.register("alice")
    account.logout()
    response = account.register(taken, email="other@example.com")
    assert response.status_code == 400
    assert "That nickname is already taken." in response.get_data(as_text=True)


# One mailbox, one account: each of these is victim@example.com once its
# domain is normalized (UTS-46) and its letter case folded.
@pytest.mark.parametrize(
    "variant",
    [
        "victim@\uff45xample.com",  # a fullwidth e
        "victim@example\u3002com",  # an ideographic full stop
        "victim@\u212fxample.com",  # a script e
        "VICTIM@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com",
    ],
)
def test_one_mailbox_holds_one_account(account, database_url, variant):
    account.register("first", email="victim@example.com")
    account.logout()
    response = account.register("second", email=variant)
    assert response.status_code == 400
    assert "That address has an account already." in response.get_data(as_text=True)
    assert users_in(database_url) == ["first"]


def test_an_address_is_stored_as_mail_will_be_sent(account, database_url):
    account.register("alice", email="Alice@\uff45xample\u3002COM")
    rows = query(database_url, 'SELECT email, email_key FROM "user"')
    assert [(row["email"], row["email_key"]) for row in rows] == [
        ("Alice@example.com", "alice@example.com")
    ]


def test_register_without_csrf_token_is_refused(frontend_client, database_url):
    data = {"nickname": "alice", "email": "a@example.com", "password": "s3cret-pass"}
    response = frontend_client.post("/register", data=data)
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.get_data(as_text=True)
    assert users_in(database_url) == []


def test_login_and_logout(account, frontend_client):
    account.register("alice")
    account.logout()
    assert "Log in" in frontend_client.get("/").get_data(as_text=True)
    response = account.login("alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = frontend_client.get("/").get_data(as_text=True)
    assert "Logged in as alice." in page
    response = account.logout()
    assert response.status_code == 302
    page = frontend_client.get("/").get_data(as_text=True)
    assert "Logged out." in page
    assert "Log out" not in page


@pytest.mark.parametrize(
    ("nickname", "password"),
    [("alice", "wrong-password"), ("nobody", "s3cret-pass"), ("alice", "")],
)
def test_login_refused(account, nickname, password):
    account.register("alice")
    account.logout()
    response = account.login(nickname, password)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Wrong nickname or password." in page or "This field is required." in page
    assert "Log out" not in page


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/user/alice", "/user/alice"),
        ("/context?x=1", "/context?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_honours_only_local_next(account, next_url, location):
    account.register("alice")
    account.logout()
    response = account.login("alice", next_url=next_url)
    assert response.headers["Location"] == location


def test_logout_is_post_only(account, frontend_client):
    account.register("alice")
    response = frontend_client.get("/logout")
    assert response.status_code == 405
    assert "405 Method Not Allowed" in response.get_data(as_text=True)
    assert "Log out" in frontend_client.get("/").get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(account, frontend_client):
    account.register("alice")
    assert frontend_client.post("/logout").status_code == 400
    assert "Log out" in frontend_client.get("/").get_data(as_text=True)


def test_session_of_deleted_user_is_dropped(account, frontend_client, database_url):
    account.register("alice")
    query(database_url, 'DELETE FROM "user"')
    page = frontend_client.get("/").get_data(as_text=True)
    assert "Log in" in page


def test_login_form_has_csrf_field(frontend_client):
    page = frontend_client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token" type="hidden"' in page
