"""The pages as a person uses them: links between the apps, the route
explorer, how a URL finds its view, /context as a page, and the forms."""

import re

import pytest

from harness.accounts import Account, AdminAccount


def text(response):
    return response.get_data(as_text=True)


def test_the_apps_link_to_each_other(both_logged_in):
    front = text(both_logged_in.get("/"))
    assert '<a href="/admin/">Admin</a>' in front
    admin = text(both_logged_in.get("/admin/users"))
    assert '<a href="/">Site</a>' in admin
    assert '<a href="/user/alice">alice</a>' in admin  # each user's profile


def test_the_links_keep_a_proxys_prefix(both_logged_in):
    # Behind a proxy at /site, SCRIPT_NAME carries the prefix to both apps.
    admin = text(both_logged_in.get("/admin/users", environ_base={"SCRIPT_NAME": ""}))
    assert '<a href="/">Site</a>' in admin
    front = both_logged_in.application.app.test_client()
    page = text(front.get("/", base_url="http://localhost/site/"))
    assert '<a href="/site/admin/">Admin</a>' in page


def test_the_route_explorer_lists_every_route_of_both_apps(both_logged_in):
    page = text(both_logged_in.get("/admin/routes"))
    assert [h2 for h2 in re.findall(r"<h2>(\w+)</h2>", page)] == ["frontend", "admin"]
    assert "<h3>(the app itself)</h3>" in page and "<h3>follow</h3>" in page
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page, re.S)
    [follow] = [row for row in rows if "frontend.follow:follow<" in row]
    assert "<code>/follow/&lt;nickname&gt;</code>" in follow
    assert "<td>needed</td>" in follow and "<td>POST</td>" in follow
    assert '<a href="/admin/users">/admin/users</a>' in page  # GET, no arguments
    assert "<code>/user/&lt;nickname&gt;</code>" in page  # arguments: no link
    # Each route without arguments links to how its URL finds its view.
    assert '<a href="/routing?path=/admin/users">follow it</a>' in page
    [logout] = [row for row in rows if "frontend.auth:logout<" in row]
    assert "routing?path=/logout&amp;method=POST" in logout
    # Logging out needs no login, in either app.
    [admin_logout] = [row for row in rows if "admin.auth:logout<" in row]
    assert "<td>no</td>" in logout and "<td>no</td>" in admin_logout


ALLOWED = "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    ("method", "path", "status", "answers", "why"),
    [
        ("GET", "/nope", 404, None, "/routing?path=/nope"),
        ("GET", "/admin/nope", 404, None, "/routing?path=/admin/nope"),
        ("POST", "/hello", 405, ALLOWED, "/routing?path=/hello&amp;method=POST"),
        ("DELETE", "/user/bob", 405, ALLOWED, "/routing?path=/user/bob"),
    ],
)
def test_a_404_or_405_names_what_was_asked_and_links_to_why(
    site_client, method, path, status, answers, why
):
    # Werkzeug's generic text said neither the URL, nor its methods.
    response = site_client.open(path, method=method)
    assert response.status_code == status
    page = text(response)
    assert f"You asked for <code>{method} {path}</code>." in page
    if answers:
        assert f"That URL answers <code>{answers}</code> only." in page
    assert f'<a href="{why}">How this URL finds its view' in page


def test_the_route_explorer_needs_the_admin(site_client):
    assert site_client.get("/admin/routes").status_code == 302


def test_the_routing_page_follows_a_path_to_its_view(site_client):
    page = text(site_client.get("/routing?path=/admin/users"))
    assert "chose <code>/admin</code>" in page
    assert '<code>SCRIPT_NAME</code> = <code>"/admin"</code>' in page
    assert '<code>PATH_INFO</code> = <code>"/users"</code>' in page
    assert "the rule <code>/users</code>" in page
    assert "its view function is <code>admin.users:index</code>" in page
    assert "builds <code>/admin/users</code>: the path you asked for." in page
    # Linking across apps, each way run in this very request:
    assert "BuildError: Could not build url for endpoint &#39;users.index&#39;" in page
    assert "site_url(&#39;admin_users&#39;)" in page  # the site's link name
    assert "<code>/admin/users</code></td>" in page


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("path=/admin", '<strong class="status">308</strong>'),
        # The 405 names the rule that matched, and what it answers.
        (
            "path=/logout",
            "the rule /logout (auth.logout) matches the path, but answers POST only",
        ),
        ("path=/logout&method=POST", "the rule <code>/logout</code>"),
        ("path=/nothing/here", "no rule of frontend matches &#39;/nothing/here&#39;"),
    ],
)
def test_the_routing_page_says_why_a_path_finds_no_view(site_client, query, answer):
    assert answer in text(site_client.get(f"/routing?{query}"))


def test_the_routing_page_explains_what_is_not_a_path_and_keeps_it(site_client):
    response = site_client.get("/routing?path=//evil.example")
    assert response.status_code == 400
    assert "That is not a path on this site" in text(response)
    assert 'value="//evil.example"' in text(response)
    other = text(site_client.get("/routing?path=https://evil.example/hello"))
    assert "evil.example is another site" in other
    unknown = text(site_client.get("/routing?path=nosuch"))
    assert "No app of this site has an endpoint &#39;nosuch&#39;" in unknown


@pytest.mark.parametrize(
    ("typed", "followed"),
    [
        ("users.index", "GET /admin/users"),
        ("http://localhost/admin/users", "GET /admin/users"),
        ("hello", "GET /hello"),
    ],
)
def test_the_routing_page_takes_an_endpoint_or_a_url(site_client, typed, followed):
    page = text(site_client.get(f"/routing?path={typed}"))
    assert f"<h2>{followed}</h2>" in page


def test_the_trace_page_shows_the_routing_steps_and_links_to_the_frontend(
    both_logged_in,
):
    page = text(both_logged_in.get("/admin/trace?path=/user/alice"))
    assert "<h2>How GET /user/alice finds its view</h2>" in page
    assert "the rule <code>/user/&lt;nickname&gt;</code>" in page
    assert "BuildError: Could not build url for endpoint &#39;user.profile&#39;" in page
    example = re.search(r"site_url\(&#39;profile&#39;.*?</tr>", page, re.S).group(0)
    assert "<code>/user/alice</code>" in example


@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_context_is_a_page_for_a_browser_and_json_for_a_program(both_logged_in, prefix):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = both_logged_in.get(f"{prefix}/context", headers=browser)
    assert page.mimetype == "text/html"
    html = text(page)
    assert "<nav" in html and "request.script_root" in html
    # The pops came before the page was written; the last two pushes are
    # stream_with_context's, rendering it.
    lines = re.findall(r"<li>(.)\s+(push|pop|teardown) (\w+)", html)
    assert [(a, k) for _, a, k in lines][-4:] == [
        ("teardown", "app"),
        ("pop", "app"),
        ("push", "app"),
        ("push", "request"),
    ]
    for query, headers in (
        ("?format=json", browser),
        ("", {"Accept": "application/json"}),
    ):
        answer = both_logged_in.get(f"{prefix}/context{query}", headers=headers)
        assert answer.mimetype == "application/json"


def test_a_logged_in_user_is_sent_away_from_login_and_register(both_logged_in):
    for path in ("/login", "/register"):
        response = both_logged_in.get(path)
        assert (response.status_code, response.location) == (302, "/user/alice")
    assert both_logged_in.get("/admin/login").location == "/admin/"


def test_a_visitor_is_asked_to_log_in_to_follow(site_client):
    Account(site_client).register("alice")
    Account(site_client).logout()
    page = text(site_client.get("/user/alice"))
    assert 'href="/login?next=/user/alice">Log in to follow alice</a>' in page


def test_a_follow_link_opened_in_the_address_bar_gets_a_button(both_logged_in):
    Account(both_logged_in).logout()
    Account(both_logged_in).register("bob")
    page = both_logged_in.get("/follow/alice")
    assert page.status_code == 200
    assert 'action="/follow/alice"' in text(page) and ">Follow</button>" in text(page)
    assert both_logged_in.get("/unfollow/nobody").status_code == 404


def test_flash_messages_are_styled_by_kind_and_announced(site_client):
    response = Account(site_client).register("alice")
    page = text(site_client.get(response.location))
    assert re.search(r'<p class="flash success" role="status">Welcome, alice!', page)


def test_form_rules_show_first_and_errors_are_tied_to_their_field(site_client):
    page = text(site_client.get("/register"))
    field = re.search(r'<input[^>]*id="nickname"[^>]*>', page).group(0)
    assert 'aria-describedby="nickname-rules"' in field
    assert 'id="nickname-rules">3 to 32 letters' in page
    refused = text(Account(site_client).register("a b"))
    field = re.search(r'<input[^>]*id="nickname"[^>]*>', refused).group(0)
    assert 'aria-describedby="nickname-rules nickname-error"' in field
    assert 'aria-invalid="true"' in field
    assert 'id="nickname-error">' in refused


def test_the_outbox_shows_each_messages_text_and_html(both_logged_in):
    page = text(both_logged_in.get("/admin/outbox"))  # alice's confirmation
    assert '<pre class="text">' in page and "/confirm/" in page
    assert '<pre class="html">&lt;' in page  # the HTML's source, escaped


def test_every_page_has_a_viewport(both_logged_in):
    for path in ("/", "/routing", "/user/alice", "/admin/", "/admin/routes"):
        assert '<meta name="viewport"' in text(both_logged_in.get(path))
    AdminAccount(both_logged_in, "/admin").logout()
