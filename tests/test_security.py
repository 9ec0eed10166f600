"""The site attacked as an outsider would: each defence, tested by the attack."""

import io
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

import frontend
from core.accounts import passwords, tokens, users
from core.extensions import db
from core.prepare import prepare
from core.redirects import is_local_url
from core.serving import TRUSTED, behind_proxies, proxy_headers
from dispatcher import create_site
from harness.accounts import (
    ADMIN_PASSWORD,
    Account,
    AdminAccount,
    confirmation_link,
    csrf_token,
    submit,
)
from harness.databases import query
from tests.helpers import register_confirmed

# Raw query strings, as an attacker would put them in a link to the login.
EVIL_NEXT = [
    "next=https://evil.example/",
    "next=//evil.example/",
    "next=////evil.example",
    "next=/%2F%2F%2Fevil.example",
    "next=/%09///evil.example",
    "next=/%5C/evil.example",
    "next=/%0a//%0a/evil.example",
    "next=javascript:alert(1)",
    "next=//[",
]


def where_a_browser_goes(location, base="http://localhost/login"):
    """The URL a browser follows for ``location`` (it drops tabs and
    newlines, and reads backslashes as slashes)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urljoin(base, cleaned)


def log_in(client, login_path, query, data):
    """Log in through the form at ``login_path?query``; return the response."""
    page = client.get(f"{login_path}?{query}")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(f"{login_path}?{query}", data={"csrf_token": token, **data})


@pytest.mark.parametrize("query", EVIL_NEXT)
def test_no_login_sends_the_browser_to_another_site(site, database_url, query):
    client = Client(site)
    register_confirmed(client, "alice", database_url)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    logins = [
        ("/login", {"nickname": "alice", "password": "s3cret-pass"}, "/"),
        ("/admin/login", {"username": "admin", "password": ADMIN_PASSWORD}, "/admin/"),
    ]
    for path, data, default in logins:
        response = log_in(client, path, query, data)
        assert response.status_code == 302, (path, query, response.status_code)
        target = where_a_browser_goes(response.headers["Location"])
        assert urlsplit(target).netloc == "localhost", (path, query, target)
        assert response.headers["Location"] == default


@pytest.mark.parametrize("typed", ["alice\n", " alice", "alice\t", "ALICE\r\n"])
def test_a_nickname_is_judged_whole_after_trimming(frontend_app, database_url, typed):
    client = frontend_app.test_client()
    register_confirmed(client, "alice", database_url)
    other = frontend_app.test_client()
    response = Account(other).register(typed, email="other@example.com")
    assert response.status_code == 400
    assert "That nickname is already taken." in response.text
    assert [
        row["nickname"] for row in query(database_url, 'SELECT nickname FROM "user"')
    ] == ["alice"]


@pytest.mark.parametrize("typed", ["bob\n", "bob\n\n", "  bob  "])
def test_what_users_type_around_a_nickname_is_trimmed(
    frontend_app, database_url, typed
):
    response = Account(frontend_app.test_client()).register(
        typed, email="b@example.com"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/user/bob"


@pytest.mark.parametrize("typed", ["ali\nce", "аlice", "alice\u0301", "al ice"])
def test_nicknames_that_cannot_be_shown_safely_are_refused(frontend_app, typed):
    response = Account(frontend_app.test_client()).register(
        typed, email="x@example.com"
    )
    assert response.status_code == 400
    assert "Use only letters, digits and underscores." in response.text


class CountingStream:
    """A request body of ``size`` bytes that counts how many are read."""

    def __init__(self, size):
        self.size, self.read_bytes = size, 0

    def read(self, n=-1):
        """Hand out zero bytes (as many as asked, up to the size)."""
        n = self.size - self.read_bytes if n is None or n < 0 else n
        n = min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"0" * n


@pytest.mark.parametrize(
    ("path", "page"),
    [("/register", "Back to the home page"), ("/admin/login", "Back to the dashboard")],
)
def test_a_huge_body_gets_413_without_being_read(site, path, page):
    body = CountingStream(200_000_000)
    environ = EnvironBuilder(
        path=path, method="POST", content_type="application/x-www-form-urlencoded"
    ).get_environ()
    environ |= {"wsgi.input": body, "CONTENT_LENGTH": str(body.size)}
    response, status, _headers = run_wsgi_app(site, environ, buffered=True)
    assert status.startswith("413")
    assert page in b"".join(response).decode()  # the app's own error page
    assert body.read_bytes < 1_000_000  # refused before reading


def chunked_login(client, size):
    """POST a login form of ``size`` bytes with no Content-Length, as a
    chunked body reaches the app (the server sets wsgi.input_terminated)."""
    token = csrf_token(client.get("/login").text)
    form = f"csrf_token={token}&nickname=alice&password=s3cret-pass&junk="
    body = form.encode().ljust(size, b"x")
    environ = {
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    return client.post("/login", environ_overrides=environ)


def test_a_chunked_body_past_the_limit_gets_413_not_cut_and_read(frontend_app):
    client = frontend_app.test_client()
    Account(client).register("alice")
    Account(client).logout()
    limit = frontend_app.config["MAX_CONTENT_LENGTH"]
    assert chunked_login(client, limit + 1).status_code == 413  # not logged in
    assert "Log out" not in client.get("/").text
    assert chunked_login(client, limit).status_code == 302  # at the limit: read


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/nope", "/static/style.css", "/admin/login", "/admin/nope"],
)
def test_every_response_carries_the_security_headers(site_client, path):
    headers = site_client.get(path, buffered=True).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS
    no_store = headers.get("Cache-Control") == "no-store"
    assert no_store == path.startswith("/admin")  # admin pages are never cached


def test_over_https_the_site_asks_for_https_from_then_on(site_client):
    headers = site_client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_keys_and_the_database_are_made_readable_by_their_owner_only(
    monkeypatch, tmp_path
):
    # The most permissive umask, and no chmod afterwards: each file must be
    # created with mode 600, never written first and narrowed later.
    def refuse_chmod(*args, **kwargs):
        raise AssertionError("a file was created open, then narrowed")

    monkeypatch.setattr(os, "chmod", refuse_chmod)
    old_umask = os.umask(0)
    try:
        prepare([frontend.create_app({"DATABASE": str(tmp_path / "site.sqlite")})])
    finally:
        os.umask(old_umask)
    instance = Path(os.environ["FLASK_INSTANCE_PATH"])
    for path in (instance / "frontend-secret-key", tmp_path / "site.sqlite"):
        assert path.stat().st_mode & 0o777 == 0o600, path


@pytest.mark.parametrize("nickname", ["alice", "nobody"])
def test_a_login_costs_one_password_check_known_nickname_or_not(
    monkeypatch, account, nickname, frontend_app
):
    # The check (scrypt) is what takes the time: an unknown nickname that
    # skipped it answered in 2 ms instead of 80, telling who is registered.
    account.register("alice")
    account.logout()
    checked = []
    real_check = passwords.check_password_hash

    def counting_check(password_hash, password):
        checked.append(password_hash.split("$")[0])  # the method and its cost
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting_check)
    response = account.login(nickname, password="wrong-password")
    assert response.status_code == 400
    method = frontend_app.config["PASSWORD_HASH_METHOD"]  # cheap in the tests
    assert checked == [generate_password_hash("x", method=method).split("$")[0]]


def test_passwords_are_hashed_with_scrypt_unless_configured(tmp_path):
    app = frontend.create_app({"DATABASE": str(tmp_path / "site.sqlite")})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"


@pytest.mark.parametrize("host", ["evil.example", "x" * 1200, "localhost:99999"])
@pytest.mark.parametrize("path", ["/", "/user/alice", "/admin/", "/admin/login"])
def test_a_host_the_site_does_not_trust_gets_a_plain_400(site_client, host, path):
    response = site_client.get(path, headers={"Host": host})
    assert response.status_code == 400
    assert host not in response.text  # nothing is built from it
    assert response.headers["X-Frame-Options"] == "DENY"


def test_emails_link_to_the_public_url_whether_or_not_its_host_is_listed(
    frontend_config, admin_config, database_url
):
    # Behind a proxy that sends its own Host (127.0.0.1, trusted), the public
    # name need not be listed. Each email is rendered at PUBLIC_URL: Flask
    # refused that context's URLs, a 500 on every page that writes an email.
    public = {**frontend_config, "PUBLIC_URL": "https://site.example.com"}
    client = Client(create_site(public, admin_config))
    assert Account(client).register("bob").status_code == 302
    link = confirmation_link(database_url, "bob@example.com")
    assert link.startswith("https://site.example.com/confirm/")
    # The public name is the site's own: it is answered, others still are not.
    assert client.get("/", headers={"Host": "site.example.com"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_a_post_with_an_untrusted_host_gets_400_and_changes_nothing(
    site_client, database_url
):
    token = csrf_token(site_client.get("/register").text)
    data = {
        "csrf_token": token,
        "nickname": "eve",
        "email": "e@x.org",
        "password": "p" * 9,
    }
    response = site_client.post(
        "/register", data=data, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert query(database_url, 'SELECT count(*) AS n FROM "user"')[0]["n"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/admin/trace?path=//[",
        "/admin/trace?path=//evil.example/",
        "/admin/trace?path=/%0ahello",
    ],
)
def test_odd_trace_paths_get_a_clear_400(both_logged_in, path):
    response = both_logged_in.get(path)
    assert response.status_code == 400
    assert "That is not a path on this site" in response.text
    assert '<input id="path" name="path" value="' in response.text  # kept


def test_a_retry_of_a_message_id_too_large_for_any_database_is_404(both_logged_in):
    huge = "/admin/outbox/99999999999999999999999/retry"
    token = csrf_token(both_logged_in.get("/admin/outbox").text)
    response = both_logged_in.post(huge, data={"csrf_token": token})
    assert response.status_code == 404


def test_a_broken_database_still_gets_the_apps_own_error_page(both_logged_in, db_path):
    site = both_logged_in.application
    for app in (site.app, site.mounts["/admin"]):
        app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
        with app.app_context():
            db.engine.dispose()  # no connection keeps pages of the good file
    db_path.write_bytes(b"this is not a database " * 400)  # another process broke it
    for wal in db_path.parent.glob("site.sqlite-*"):
        wal.unlink()
    front = both_logged_in.get("/user/alice")
    assert front.status_code == 500
    assert "Back to the home page" in front.text  # the frontend's page
    admin = both_logged_in.get("/admin/users")
    assert admin.status_code == 500
    assert "Back to the dashboard" in admin.text  # the admin's


PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/site"}
WITH_PREFIX = ("for", "proto", "prefix")


@pytest.mark.parametrize(
    ("hops", "trusted", "url", "hello"),
    [
        (1, WITH_PREFIX, "https://localhost/site/admin/context", "/site/admin/hello"),
        # By default only X-Forwarded-For and -Proto: a proxy passes on the
        # X-Forwarded-Prefix a client sends unless it overwrites it.
        (1, TRUSTED, "https://localhost/admin/context", "/admin/hello"),
        (0, WITH_PREFIX, "http://localhost/admin/context", "/admin/hello"),
    ],
)
def test_a_proxys_headers_count_only_when_the_site_is_told_it_is_behind_one(
    frontend_config, admin_config, hops, trusted, url, hello
):
    site = create_site(frontend_config, admin_config)
    client = Client(behind_proxies(site, hops, trusted))
    AdminAccount(client, "/admin").login()
    info = client.get("/admin/context", headers=PROXY_HEADERS).json
    assert (info["url"], info["hello_url"]) == (url, hello)


@pytest.mark.parametrize("prefix", ["//evil.com", "/\\evil.com", "///evil.com"])
def test_a_prefix_that_names_a_host_never_starts_a_location(
    frontend_config, admin_config, prefix
):
    # Seen before: X-Forwarded-Prefix: //evil.com made "Location: //evil.com/".
    site = create_site(frontend_config, admin_config)
    client = Client(behind_proxies(site, 1, WITH_PREFIX))
    response = client.get("/admin/", headers={"X-Forwarded-Prefix": prefix})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/evil.com/admin/login")


def test_an_unknown_proxy_header_name_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("FLASK_PROXY_HEADERS", "for, Proto, forwarded")
    with pytest.raises(ValueError, match="names forwarded: choose among for"):
        proxy_headers()
    monkeypatch.setenv("FLASK_PROXY_HEADERS", "for, Proto")
    assert proxy_headers() == ["for", "proto"]


@pytest.mark.parametrize(("hops", "secure"), [(1, True), (0, False)])
def test_session_cookies_are_secure_whenever_the_site_is_served_over_https(
    frontend_config, admin_config, hops, secure
):
    site = create_site(frontend_config, admin_config)
    client = Client(behind_proxies(site, hops))
    # Over HTTPS Flask-WTF also wants the Referer a browser sends.
    headers = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/register"}
    page = client.get("/register", headers=headers)
    data = {
        "csrf_token": csrf_token(page.text),
        "nickname": "alice",
        "email": "a@example.com",
        "password": "s3cret-pass",
    }
    response = client.post("/register", data=data, headers=headers)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("frontend_session=")
    assert ("; Secure" in cookie) == secure


def test_secure_cookies_can_be_required_without_a_proxy(frontend_config):
    app = frontend.create_app({**frontend_config, "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    page = client.get("/register")
    data = {
        "csrf_token": csrf_token(page.text),
        "nickname": "alice",
        "email": "a@example.com",
        "password": "s3cret-pass",
    }
    assert "; Secure" in client.post("/register", data=data).headers["Set-Cookie"]


def replay(site, name, value, path="/"):
    """A new browser holding only a copied session cookie."""
    thief = Client(site)
    thief.set_cookie(name, value, path=path)
    return thief


def test_a_copied_frontend_cookie_dies_with_the_logout(site, database_url):
    client = Client(site)
    register_confirmed(client, "alice", database_url)
    copied = client.get_cookie("frontend_session").value
    assert "Log out" in replay(site, "frontend_session", copied).get("/").text
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert "Log out" not in replay(site, "frontend_session", copied).get("/").text


def test_a_copied_admin_cookie_dies_with_the_logout(site):
    client = Client(site)
    AdminAccount(client, "/admin").login()
    copied = client.get_cookie("admin_session", path="/admin").value
    assert (
        replay(site, "admin_session", copied, "/admin").get("/admin/").status_code
        == 200
    )
    AdminAccount(client, "/admin").logout()
    thief = replay(site, "admin_session", copied, "/admin")
    assert thief.get("/admin/").status_code == 302  # to the login page


def test_a_new_admin_password_ends_every_admin_session(site):
    client = Client(site)
    AdminAccount(client, "/admin").login()
    assert client.get("/admin/").status_code == 200
    site.mounts["/admin"].config["ADMIN_PASSWORD_HASH"] = generate_password_hash("new")
    assert client.get("/admin/").status_code == 302


def test_the_csrf_token_changes_at_login(site, database_url):
    client = Client(site)
    register_confirmed(client, "alice", database_url)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    before = csrf_token(client.get("/login").text)
    Account(client).login("alice")
    after = csrf_token(client.get("/").text)
    assert before != after


def test_a_rotated_key_keeps_sessions_and_mailed_links_working(
    frontend_config, database_url
):
    old = frontend.create_app(frontend_config)
    client = old.test_client()
    register_confirmed(client, "alice", database_url)
    cookie = client.get_cookie("frontend_session").value
    with old.app_context():
        link = tokens.unsubscribe_token(users.find_user("alice"))
    rotated = {**frontend_config, "SECRET_KEY": "new-key"}
    rotated["SECRET_KEY_FALLBACKS"] = [frontend_config["SECRET_KEY"]]
    for config, still_valid in (
        (rotated, True),
        ({**rotated, "SECRET_KEY_FALLBACKS": []}, False),
    ):
        new = frontend.create_app(config)
        browser = new.test_client()
        browser.set_cookie("frontend_session", cookie)
        assert ("Log out" in browser.get("/").text) == still_valid
        response = browser.get(f"/unsubscribe/{link}")
        assert (response.status_code == 200) == still_valid


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "///evil.example", "////evil.example", "/%2F/evil.example"],
)
def test_the_redirect_check_itself_refuses_what_a_browser_reads_as_a_host(target):
    # Not left to Werkzeug's rewriting of the Location header: the check says no.
    assert not is_local_url(target)


@pytest.mark.parametrize("target", ["/", "/user/alice?tab=1", "/a//b", "/settings#x"])
def test_the_redirect_check_keeps_paths_on_this_site(target):
    assert is_local_url(target)


@pytest.mark.both_backends
def test_a_nul_byte_gets_a_clear_4xx_on_either_database(site_client, backend):
    # PostgreSQL refuses NUL in text (psycopg.DataError: a 500 before);
    # SQLite stores it. Either way the visitor gets a 4xx, never a 500.
    account = Account(site_client)
    account.register("alice")
    for path in ("/user/a%00b", "/follow/a%00b", "/unfollow/a%00b"):
        assert site_client.get(path).status_code in (400, 404), path
    follow = submit(site_client, "/follow/a%00b", {}, form_url="/user/alice")
    assert follow.status_code in (400, 404)
    account.logout()
    assert account.login("a\x00b", "whatever-password").status_code == 400


def test_a_locked_database_gets_a_503_that_says_so_and_loses_nothing(
    frontend_config, db_path
):
    # A backup or a long migration holds SQLite's write lock longer than a
    # writer waits (SQLITE_BUSY_TIMEOUT, short here): the follow must not
    # end in a generic 500, and must not half-happen.
    app = frontend.create_app({**frontend_config, "SQLITE_BUSY_TIMEOUT": 0.1})
    alice, bob = app.test_client(), app.test_client()
    Account(bob).register("bob")
    Account(alice).register("alice")
    token = csrf_token(alice.get("/user/bob").text)
    lock = sqlite3.connect(db_path)
    lock.execute("BEGIN IMMEDIATE")
    try:
        response = alice.post("/follow/bob", data={"csrf_token": token})
    finally:
        lock.rollback()
        lock.close()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "The database is busy" in response.text
    assert "Back to the home page" in response.text  # the frontend's own page
    assert query(f"sqlite:///{db_path}", "SELECT * FROM follow") == []
    assert alice.post("/follow/bob", data={"csrf_token": token}).status_code == 302
