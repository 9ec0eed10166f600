"""Flask-DebugToolbar with the site's Contexts and Routes panels: on only in
debug mode, under a mount as at the root, and usable by any Flask app."""

import re

from flask import Flask, g
from flask_debugtoolbar import DebugToolbarExtension
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from core import toolbar
from dispatcher import create_site
from harness.accounts import Account, AdminAccount

PANELS = ["flask_lens.panels.ContextsPanel", "flask_lens.panels.RoutesPanel"]


def another_project():
    """Two plain Flask apps, not this site's: a shop at / and tools at /tools,
    whose only tie to us is the one DEBUG_TB_PANELS setting."""
    shop = Flask("shop")
    shop.add_url_rule("/", "home", lambda: "<html><body>shop</body></html>")
    tools = Flask("tools")
    tools.config.update(SECRET_KEY="dev", DEBUG_TB_PANELS=PANELS)
    tools.debug = True

    @tools.get("/page")
    def page():
        g.user = "ann"
        return "<!doctype html><html><body><h1>tools</h1></body></html>"

    DebugToolbarExtension(tools)
    return shop, tools, DispatcherMiddleware(shop, {"/tools": tools})


def panel(html, name):
    """The content of one toolbar panel."""
    start = html.index(f'id="flDebug{name}Panel-content"')
    end = html.find('<div id="flDebug', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_another_project_uses_both_panels_with_one_setting():
    shop, tools, site = another_project()
    html = Client(site).get("/tools/page").text
    contexts = panel(html, "Contexts")
    assert re.search(
        r"SCRIPT_NAME \(the mount\)</dt><dd><code[^>]*>&#39;/tools&#39;", contexts
    )
    assert re.search(r"matched rule</dt><dd><code[^>]*>/page</code>", contexts)
    assert "test_debug_toolbar:another_project.&lt;locals&gt;.page" in contexts
    assert "{&#39;user&#39;: &#39;ann&#39;}" in contexts  # g, as the view left it
    # The timeline was drawn after the pops, so it has every event, the
    # request's lifecycle included (the toolbar's own hooks among them).
    events = re.findall(r"<li[^>]*>(\S) (push|pop|\w+)", contexts)
    assert [action for _, action in events] == [
        "push",
        "push",
        "before_request",
        "view",
        "after_request",
        "teardown_request",
        "pop",
        "pop",
    ]  # this app has no teardown_appcontext callback to show
    assert "http://localhost/tools/page" in contexts
    routes = panel(html, "Routes")
    assert "<code>/tools/page</code>" in routes and "<code>/</code>" in routes
    assert "<td>shop</td>" in routes  # the other app, found through the dispatcher


def test_the_toolbar_is_off_unless_serve_turns_debug_on(site_client):
    assert "flDebug" not in site_client.get("/hello").text
    assert site_client.get("/_debug_toolbar/static/js/toolbar.js").status_code == 404
    csp = site_client.get("/hello").headers["Content-Security-Policy"]
    assert "unsafe" not in csp and "sha256" not in csp


def debugged_site(frontend_config, admin_config):
    site = create_site(frontend_config, admin_config)
    for app in site.apps.values():  # as serve --debug does
        app.debug = True
        toolbar.init_app(app)
    return site


def test_under_the_admins_mount_the_toolbar_and_its_files_work(
    frontend_config, admin_config
):
    client = Client(debugged_site(frontend_config, admin_config))
    # The login page loads the toolbar's files before anyone is logged in.
    url = "/admin/_debug_toolbar/static/js/toolbar.js"
    assert client.get(url, buffered=True).status_code == 200
    Account(client).register("alice")
    AdminAccount(client, "/admin").login()
    page = client.get("/admin/users")
    html = page.text
    assert "var DEBUG_TOOLBAR_STATIC_PATH = '/admin/_debug_toolbar/static/'" in html
    for asset in ("js/toolbar.js", "js/jquery.js", "css/toolbar.css"):
        url = f"/admin/_debug_toolbar/static/{asset}"
        assert client.get(url, buffered=True).status_code == 200
    # The CSP allows the toolbar's one inline script by its hash, nothing more.
    csp = page.headers["Content-Security-Policy"]
    assert (
        "script-src 'self' 'sha256-" in csp
        and "'unsafe-inline'" not in csp.split("style-src-attr")[0]
    )
    contexts = panel(html, "Contexts")
    assert re.search(
        r"SCRIPT_NAME \(the mount\)</dt><dd><code[^>]*>&#39;/admin&#39;", contexts
    )
    assert "admin.users:index" in contexts
    assert "http://localhost/admin/users" in contexts  # this very request
    assert "SQLAlchemy._teardown_session" in contexts
    routes = panel(html, "Routes")
    assert (
        "<code>/admin/users</code>" in routes
        and "<code>/user/&lt;nickname&gt;</code>" in routes
    )
