"""The combined site: both apps behind werkzeug's DispatcherMiddleware."""

import os
from urllib.parse import urlsplit
from wsgiref.validate import validator

import pytest
from flask import url_for
from flask_lens import route_rows
from werkzeug.test import Client

from core.accounts import tokens, users
from harness.accounts import Account, AdminAccount, confirmation_link
from tests.helpers import run_in_repository


def page(response):
    """The response body as text."""
    return response.get_data(as_text=True)


def test_admin_without_slash_redirects(site_client):
    response = site_client.get("/admin")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/admin/"


@pytest.mark.parametrize("path", ["/administrator", "/adminx", "/nope"])
def test_paths_near_the_mount_belong_to_the_frontend(site_client, path):
    response = site_client.get(path)
    assert response.status_code == 404
    assert "Back to the home page" in page(response)


def test_unknown_admin_path_gets_the_admin_404_page(site_client):
    response = site_client.get("/admin/nope")
    assert response.status_code == 404
    assert "Admin: 404 Not Found" in page(response)


@pytest.mark.parametrize(
    ("path", "text"),
    [("/hello", "Back to the home page"), ("/admin/hello", "Back to the dashboard")],
)
def test_each_app_owns_its_405(both_logged_in, path, text):
    response = both_logged_in.post(path)
    assert response.status_code == 405
    assert "405 Method Not Allowed" in page(response)
    assert text in page(response)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/context?q=1",
            {
                "app": "frontend",
                "endpoint": "main.context",
                "script_root": "",
                "path": "/context",
                "url": "http://localhost/context?q=1",
                "shared_endpoint": "hello",
                "hello_url": "/hello",
            },
        ),
        (
            "/admin/context?q=1",
            {
                "app": "admin",
                "endpoint": "dashboard.context",
                "script_root": "/admin",
                "path": "/context",
                "url": "http://localhost/admin/context?q=1",
                "shared_endpoint": "hello",
                "hello_url": "/admin/hello",
            },
        ),
    ],
)
def test_what_each_app_sees_of_the_mount(both_logged_in, url, expected):
    info = both_logged_in.get(url).get_json()
    assert {key: info[key] for key in expected} == expected


def test_admin_pages_link_under_the_prefix(both_logged_in):
    html = page(both_logged_in.get("/admin/"))
    assert 'href="/admin/static/style.css"' in html
    assert 'href="/admin/hello"' in html
    assert 'action="/admin/logout"' in html


def test_admin_urls_outside_a_request_keep_the_prefix(site):
    admin_app = site.mounts["/admin"]
    admin_app.config["SERVER_NAME"] = "example.test"
    with admin_app.app_context():
        # Outside a request, url_for builds external URLs from SERVER_NAME.
        assert url_for("hello") == "http://example.test/admin/hello"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/static/style.css", "The frontend's stylesheet"),
        ("/admin/static/style.css", "The admin's stylesheet"),
    ],
)
def test_static_files_of_each_app(site_client, path, text):
    with site_client.get(path) as response:
        assert response.status_code == 200
        assert text in page(response)


def test_admin_pages_refused_without_login(site_client):
    Account(site_client).register("alice")  # a frontend login is not an admin one
    for path in ["/admin/", "/admin/hello", "/admin/context"]:
        response = site_client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login?next=")


def test_session_cookies_are_kept_apart(both_logged_in):
    # The admin's cookie lives on /admin only (its path is APPLICATION_ROOT).
    assert both_logged_in.get_cookie("frontend_session") is not None
    assert both_logged_in.get_cookie("admin_session") is None
    assert both_logged_in.get_cookie("admin_session", path="/admin") is not None
    Account(both_logged_in).logout()
    assert "Log in" in page(both_logged_in.get("/"))
    assert both_logged_in.get("/admin/").status_code == 200
    AdminAccount(both_logged_in, "/admin").logout()
    assert both_logged_in.get("/admin/").status_code == 302


def test_admin_logout_keeps_the_frontend_login(both_logged_in):
    AdminAccount(both_logged_in, "/admin").logout()
    assert "Log out" in page(both_logged_in.get("/"))


def test_a_session_of_one_app_is_refused_by_the_other(both_logged_in):
    front = both_logged_in.get_cookie("frontend_session").value
    stranger = Client(both_logged_in.application)
    stranger.set_cookie("admin_session", front, path="/admin")
    assert stranger.get("/admin/").status_code == 302
    back = both_logged_in.get_cookie("admin_session", path="/admin").value
    stranger.set_cookie("frontend_session", back)
    assert "Log in" in page(stranger.get("/"))


def sample_urls(site, database_url):
    """Every GET route's path, its arguments filled with values that exist:
    alice, a static file, and the tokens of alice's emails."""
    with site.app.app_context():
        unsubscribe = tokens.unsubscribe_token(users.find_user("alice"))
    filled = {
        "<nickname>": "alice",
        "<path:filename>": "style.css",
        "/confirm/<token>": urlsplit(
            confirmation_link(database_url, "alice@example.com")
        ).path,
        "/unsubscribe/<token>": f"/unsubscribe/{unsubscribe}",
    }
    paths = []
    for path, methods, _endpoint, _app in route_rows(site):
        if "GET" in methods:
            for placeholder, value in filled.items():
                path = (
                    value if path == placeholder else path.replace(placeholder, value)
                )
            paths.append(path)
    return paths


def test_every_page_is_valid_wsgi(site, database_url):
    checked = Client(validator(site))
    Account(checked).register("alice")
    AdminAccount(checked, "/admin").login()
    paths = sample_urls(site, database_url)
    assert "/admin/hello" in paths and "/user/alice" in paths
    assert not [path for path in paths if "<" in path]
    for path in paths:
        with checked.get(path) as response:
            assert response.status_code in (200, 302), path
            response.get_data()


def test_importing_the_tests_and_the_dispatcher_builds_nothing(tmp_path):
    # FLASK_SECRET_KEY makes any app built from this environment refuse to
    # start, so an app built at import time fails the import.
    env = {
        "PATH": os.environ["PATH"],
        "FLASK_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_SECRET_KEY": "would-be-refused",
    }
    code = "import tests.conftest, dispatcher, bench.mail"
    run_in_repository(["-c", code], env)
    assert not (tmp_path / "instance").exists()


FULL_PASS = """
import gc, time
def full_pass():
    start = time.perf_counter()
    gc.collect()
    return time.perf_counter() - start
"""


def test_application_is_built_when_a_server_looks_it_up_and_settled(tmp_path):
    env = {"PATH": os.environ["PATH"], "FLASK_INSTANCE_PATH": str(tmp_path)}
    code = FULL_PASS + (
        "import dispatcher; before = full_pass()\n"
        "application = dispatcher.application\n"
        "assert application is dispatcher.application\n"
        "assert application.app is dispatcher.site\n"  # what serves it: the site
        "print(dispatcher.site.app.name, *dispatcher.site.mounts)\n"
        "print(before / full_pass())\n"
    )
    names, speedup = run_in_repository(["-c", code], env).stdout.splitlines()
    assert names.split() == ["frontend", "/admin"]
    # The code and the site stay out of the collector's full passes, which
    # stopped the process 100 ms and more (core.serving.settle).
    assert float(speedup) > 4


def test_the_admin_mount_is_the_admins_application_root(site):
    assert list(site.mounts) == [site.mounts["/admin"].config["APPLICATION_ROOT"]]


def test_options_on_every_rule_head_only_where_there_is_get(site_client):
    # As docs/routing.md says under the route table.
    assert site_client.head("/hello").status_code == 200
    options = site_client.options("/logout")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    head = site_client.head("/logout")
    assert head.status_code == 405
    assert "HEAD" not in head.headers["Allow"]
