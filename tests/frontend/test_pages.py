"""The frontend's pages, error pages and static files."""

import re

import frontend
from harness.accounts import submit


def test_index_lists_users(account, frontend_client):
    assert "Nobody has registered yet." in frontend_client.get("/").get_data(True)
    account.register("alice")
    account.logout()  # a logged-in user is sent away from the register page
    account.register("bob")
    page = frontend_client.get("/").get_data(as_text=True)
    assert '<a href="/user/alice">alice</a>' in page
    assert '<a href="/user/bob">bob</a>' in page


def test_profile(account, frontend_client):
    account.register("alice")
    response = frontend_client.get("/user/alice")
    assert response.status_code == 200
    assert "<h1>alice</h1>" in response.get_data(as_text=True)


def test_unknown_profile_is_the_frontend_404_page(frontend_client):
    response = frontend_client.get("/user/nobody")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "There is no user named &#39;nobody&#39;." in page
    assert "Back to the home page" in page


def test_user_index_is_another_blueprints_index(frontend_client):
    response = frontend_client.get("/user/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_hello(frontend_client):
    page = frontend_client.get("/hello").get_data(as_text=True)
    assert "Hello from the frontend" in page
    assert "<code>/hello</code>" in page


def test_method_not_allowed_page_keeps_allow_header(frontend_client):
    response = frontend_client.post("/hello")
    assert response.status_code == 405
    assert "405 Method Not Allowed" in response.get_data(as_text=True)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_server_error_page(frontend_config):
    app = frontend.create_app({**frontend_config, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/broken")
    def broken():
        raise ValueError("a bug")

    response = app.test_client().get("/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "500 Internal Server Error" in page
    assert "Back to the home page" in page


def test_stylesheet(frontend_client):
    with frontend_client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert "The frontend's stylesheet" in response.get_data(as_text=True)


def test_context_json(frontend_client):
    info = frontend_client.get("/context?a=1&b=two").get_json()
    assert info["app"] == "frontend"
    assert info["endpoint"] == "main.context"
    assert info["script_root"] == ""
    assert info["path"] == "/context"
    assert info["url"] == "http://localhost/context?a=1&b=two"
    assert info["hello_url"] == "/hello"


def test_after_a_refused_resend_the_settings_form_shows_and_saves_the_settings(
    account, frontend_client
):
    # Registering sent a link a moment ago: asking again is refused (429),
    # on the settings page, whose form must show what is stored (follower
    # emails on) and post to /settings, not to the refused resend.
    account.register("alice")
    page = submit(frontend_client, "/settings/confirmation", {}, form_url="/settings")
    assert page.status_code == 429
    assert "A link was sent less than 5 minutes ago" in page.text
    form = re.search(r'<form method="post"[^>]*action="([^"]*)"[^>]*>(.*?)</form>',
                     page.text.split("<h2>Emails</h2>")[1], re.S)  # fmt: skip
    assert form and form.group(1) == "/settings"
    [checkbox] = re.findall(r"<input[^>]*notify_followers[^>]*>", form.group(2))
    assert " checked " in checkbox  # as stored, though the POST had no such field


def test_a_follow_link_says_when_there_is_nothing_to_do(account, frontend_client):
    account.register("bob")
    account.logout()
    account.register("alice")
    asked = frontend_client.get("/follow/bob").get_data(as_text=True)
    assert "<h1>Follow bob?</h1>" in asked and "press the button" in asked
    submit(frontend_client, "/follow/bob", {}, form_url="/user/bob")
    again = frontend_client.get("/follow/bob").get_data(as_text=True)
    # Before: "Follow bob?" and a button, though alice follows bob already.
    assert "<h1>Following bob</h1>" in again
    assert "You follow bob already: nothing to do." in again
    assert 'action="/follow/bob"' not in again
    unfollow = frontend_client.get("/unfollow/bob").get_data(as_text=True)
    assert "<h1>Unfollow bob?</h1>" in unfollow


def test_each_app_names_its_own_icon(site_client):
    for prefix in ("", "/admin"):
        page = site_client.get(f"{prefix}/login").get_data(as_text=True)
        icon = f'type="image/svg+xml" href="{prefix}/static/favicon.svg'
        assert f'<link rel="icon" {icon}' in page
        served = site_client.get(f"{prefix}/static/favicon.svg", buffered=True)
        assert served.status_code == 200
        assert served.mimetype == "image/svg+xml"
