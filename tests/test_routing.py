"""The route tools: every route of any dispatcher, and how a path finds its view."""

import json

import pytest
from flask_lens import resolve, routes

from tests import sites
from tests.helpers import run_cli, run_in_repository


def test_routes_of_any_site_nested_and_wrapped():
    found = {r.path: r for r in routes(sites.three_apps)}
    assert set(found) >= {
        "/",
        "/items/<int:item>",
        "/team/posts",
        "/team/office/desk",
        "/team/office/door",
    }
    assert found["/team/office/desk"].app == "office"
    assert found["/team/office/desk"].login is True  # Flask-Login's login_required
    assert found["/team/office/door"].login is False
    assert found["/team/posts"].login is None  # the blog has no login at all
    assert found["/team/posts"].methods == ("GET", "POST")
    assert found["/items/<int:item>"].arguments == ("item",)


def test_the_cli_lists_any_site_as_json(tmp_path):
    output = run_cli(tmp_path, "routes", "--json", "--app", "tests.sites:three_apps")
    rows = {row["path"]: row for row in json.loads(output)}
    assert rows["/team/office/desk"]["view"] == "tests.sites:_office.<locals>.desk"
    assert rows["/team/office/desk"]["endpoint"] == "desk"
    table = run_cli(tmp_path, "routes", "--app", "tests.sites:three_apps")
    assert "/team/office/door" in table and "office" in table


def test_the_cli_says_what_it_cannot_import(tmp_path):
    result = run_cli_failing(tmp_path, "routes", "--app", "no_such_module:site")
    assert result.stderr == (
        "Error: cannot import 'no_such_module': "
        "ModuleNotFoundError: No module named 'no_such_module'\n"
    )  # one line, no traceback


def run_cli_failing(tmp_path, *args):
    env = {"PATH": "/usr/bin:/bin", "FLASK_INSTANCE_PATH": str(tmp_path)}
    result = run_in_repository(["dispatcher.py", *args], env, check=False)
    assert result.returncode == 1
    return result


def test_this_sites_routes_say_which_need_a_login(site):
    found = {(r.app, r.endpoint): r for r in routes(site)}
    assert found[("admin", "users.index")].login is True  # the admin's hook
    assert found[("admin", "auth.login")].login is False
    assert found[("frontend", "account.settings")].login is True
    assert found[("frontend", "follow.follow")].login is True
    assert found[("frontend", "user.profile")].login is False
    assert found[("admin", "users.index")].path == "/admin/users"


def test_a_path_through_two_dispatchers_to_its_view():
    r = resolve(sites.three_apps, "/team/office/desk")
    assert [(h.mount, h.script_name, h.path_info) for h in r.hops] == [
        ("/team", "/team", "/office/desk"),
        ("/office", "/team/office", "/desk"),
    ]
    assert (r.app, r.rule, r.endpoint) == ("office", "/desk", "desk")
    assert r.built == "/team/office/desk"  # the round trip


@pytest.mark.parametrize(
    ("method", "path", "status", "why"),
    [
        ("GET", "/admin", 308, "redirects to http://localhost/admin/"),
        ("GET", "/logout", 405, "the rule /logout (auth.logout) matches"),
        ("GET", "/admin/nothing", 404, "no rule of admin matches '/nothing'"),
    ],
)
def test_a_path_that_finds_no_view_says_why(site, method, path, status, why):
    r = resolve(site, path, method)
    assert r.status == status and why in r.why
    assert r.endpoint is None


def test_a_path_finds_its_view_and_url_for_builds_it_back(site):
    r = resolve(site, "/user/alice")
    assert [(h.mount, h.script_name, h.path_info) for h in r.hops] == [
        ("", "", "/user/alice")
    ]
    assert (r.rule, r.arguments, r.view) == (
        "/user/<nickname>",
        {"nickname": "alice"},
        "frontend.user:profile",
    )
    assert r.built == "/user/alice"
