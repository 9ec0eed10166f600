"""The site in a real browser: headless Chromium driven by Playwright, on a
laptop's screen and a phone's, against one ``python dispatcher.py serve``.

Where ``SCREENSHOTS_DIR`` is set, screenshots of the main pages land there
(``make screenshots`` writes the README's, in ``docs/screenshots``).
"""

import mailbox
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask_debugtoolbar import DebugToolbarExtension
from werkzeug.serving import make_server

from harness.accounts import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
from harness.databases import migrated_sqlite
from harness.local import free_port, wait_until
from harness.servers import running, serve_command

# Debian's Chromium headless shell (Chromium's old headless mode, what
# Playwright itself runs headless): the same Blink, without the full browser's
# windowing, for 40 % less CPU than `chromium --headless` (16 s against 28 s
# for this file). The full browser does as well where only it is installed.
CHROMIUM = (
    shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "chromium-headless-shell"  # not found: named in the skip, or CI's failure
)
# Chromium's own network chatter has nowhere to go on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,  # the page's viewport meta tag decides its width
    "has_touch": True,
}
# Only when asked: the eleven screenshots cost `make test` 1.5 s of CPU.
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")

if not os.path.exists(CHROMIUM):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError(f"REQUIRE_BROWSER is set but there is no {CHROMIUM}")
    pytest.skip(
        "Chromium is not installed (.ci/run installs chromium-headless-shell)",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


class Site:
    """The served site: its address, and the development server's mailbox."""

    def __init__(self, base, instance):
        self.base = base
        self.maildir = instance / "mail"

    def url(self, path):
        return f"{self.base}{path}"

    def mail_to(self, address, subject_start):
        """Wait for a message to ``address`` in the development mailbox."""

        def find():
            if not self.maildir.exists():
                return None
            for message in mailbox.Maildir(self.maildir, create=False):
                if message["To"] == address and message["Subject"].startswith(
                    subject_start
                ):
                    return message
            return None

        return wait_until(find, message=f"mail to {address}: {subject_start}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``python dispatcher.py serve``, with its development SMTP server, on a
    database migrated already."""
    instance = tmp_path_factory.mktemp("browser")
    migrated_sqlite(instance / "site.sqlite")
    port = free_port()
    env = {
        "FLASK_INSTANCE_PATH": str(instance),
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
        "FLASK_MAIL_POLL_SECONDS": "0.3",
        # Everyone here registers from 127.0.0.1.
        "FRONTEND_RATELIMIT_REGISTER_CLIENT": "100 per hour",
    }
    with running(serve_command(port), env, instance / "serve.log", port) as base:
        yield Site(base, instance)


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


LENS_PANELS = ["flask_lens.panels.ContextsPanel", "flask_lens.panels.RoutesPanel"]

# Chromium logs each 4xx answer as an error: the tests ask for some on purpose.
STATUS_LINE = "Failed to load resource: the server responded with a status of"


def note_error(message, errors):
    """Keep a console error that is not just an HTTP status (a CSP refusal...)."""
    if message.type == "error" and not message.text.startswith(STATUS_LINE):
        errors.append(message.text)


def new_page(chromium, errors, **options):
    """A page in a fresh context (its own cookies) that notes its errors."""
    page = chromium.new_context(**options).new_page()
    page.on("console", lambda message: note_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def browser(chromium):
    """Open laptop-sized pages; the test fails if any logged an error (a
    resource the Content-Security-Policy blocked, a script error...)."""
    errors, pages = [], []

    def open_page(**options):
        pages.append(new_page(chromium, errors, **{**LAPTOP, **options}))
        return pages[-1]

    yield open_page
    for page in pages:
        page.context.close()
    assert errors == [], "the browser logged errors"


def screenshot(page, name, full_page=True):
    """Save the page's screenshot as ``<name>.png`` in ``SCREENSHOTS``, if set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SCREENSHOTS) / f"{name}.png", full_page=full_page)


def register(page, site, nickname, password="s3cret-pass"):
    """Fill in and send the registration form (the page shows the rules)."""
    page.goto(site.url("/register"))
    assert "3 to 32 letters" in page.inner_text("#nickname-rules")
    page.fill("#nickname", nickname)
    page.fill("#email", f"{nickname}@example.com")
    page.fill("#password", password)
    page.click("main button[type=submit]")


def confirm(page, site, nickname):
    """Open the confirmation link from the email in the development mailbox."""
    message = site.mail_to(f"{nickname}@example.com", "Confirm")
    text = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    link = re.search(r"https?://\S+/confirm/\S+", text).group(0)
    page.goto(link)
    assert page.inner_text("h1") == "Thank you"


def log_in_admin(page, site, path="/admin/"):
    """Open an admin page, which asks for the login, and log in."""
    page.goto(site.url(path))
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main button[type=submit]")


def test_a_new_user_registers_confirms_follows_and_the_email_arrives(browser, site):
    star = browser()
    register(star, site, "bob")
    confirm(star, site, "bob")  # bob gets follower emails once confirmed

    page = browser()
    page.goto(site.url("/"))
    screenshot(page, "home")
    register(page, site, "alice")
    assert page.url == site.url("/user/alice")
    assert page.inner_text(".flash.success").startswith("Welcome, alice!")
    assert "Confirm your address" in page.inner_text("main")
    confirm(page, site, "alice")
    page.click("nav button:has-text('Log out')")
    assert page.inner_text(".flash") == "Logged out."
    page.goto(site.url("/login"))
    page.fill("#nickname", "alice")
    page.fill("#password", "wrong-password")
    page.click("main button[type=submit]")
    assert page.inner_text(".error") == "Wrong nickname or password."
    page.fill("#password", "s3cret-pass")
    page.click("main button[type=submit]")
    assert page.inner_text(".flash") == "Logged in as alice."
    page.goto(site.url("/user/bob"))
    page.click("main button:has-text('Follow')")
    assert page.inner_text(".flash") == "You are now following bob."
    assert page.locator("main button:has-text('Unfollow')").count() == 1
    screenshot(page, "profile")
    email = site.mail_to("bob@example.com", "alice is now following you")
    assert "alice" in email["Subject"]


def test_the_admin_finds_the_user_and_the_mail_and_reads_the_routing(browser, site):
    user = browser()
    register(user, site, "dave")
    page = browser()
    log_in_admin(page, site)
    assert page.url == site.url("/admin/")
    screenshot(page, "admin-dashboard")

    page.click("nav a:has-text('Users')")
    page.click("table.users a:has-text('dave')")  # to the frontend's profile
    assert page.url == site.url("/user/dave")
    assert page.inner_text("h1") == "dave"

    def sent_to_dave():
        page.goto(site.url("/admin/outbox"))
        row = page.locator("table.outbox tr", has_text="dave@example.com")
        return row.count() and row.locator(".status").inner_text() == "sent"

    wait_until(sent_to_dave, message="dave's confirmation marked sent")
    row = page.locator("table.outbox tr", has_text="dave@example.com")
    row.locator("summary").click()
    assert "/confirm/" in row.locator("pre.text").inner_text()
    # The HTML part as a mail reader shows it, not only its source.
    html = row.frame_locator("iframe.html")
    assert html.locator("a").inner_text() == "confirm my address"
    assert "/confirm/" in html.locator("a").get_attribute("href")
    screenshot(page, "admin-outbox")

    page.click("nav a:has-text('Routes')")
    follow = page.locator("table.routes tr", has_text="frontend.follow:follow")
    assert follow.locator("td").nth(4).inner_text() == "needed"
    screenshot(page, "admin-routes")

    page.click("nav a:has-text('Trace')")
    page.fill("#path", "/user/dave")
    page.click("main form.trace button")
    steps = page.inner_text("ol.routing")
    assert "the rule /user/<nickname>, with nickname=dave" in steps
    assert "its view function is frontend.user:profile" in steps
    timeline = page.locator("svg.timeline").first
    app_bar = timeline.locator("g.frontend.app rect").bounding_box()
    request_bar = timeline.locator("g.frontend.request rect").bounding_box()
    # The request context sits on its app context, inside its lifetime.
    assert request_bar["y"] < app_bar["y"]
    assert app_bar["x"] < request_bar["x"]
    assert request_bar["x"] + request_bar["width"] < app_bar["x"] + app_bar["width"]
    # The scenario is the same for any path: folded until it is opened.
    assert page.locator("ol.events").nth(1).inner_text() == ""
    page.click("details.trace summary")
    scenario = page.locator("ol.events").nth(1).inner_text()
    assert "Why: url_for asks the active request" in scenario
    assert "url_for('hello') -> /hello" in scenario  # as make trace prints it
    screenshot(page, "admin-trace")

    # Logging out of the admin leaves the frontend session alone.
    page.click("nav button:has-text('Log out')")
    page.click("nav a:has-text('Site')")
    assert page.url == site.url("/")


def test_the_routing_page_follows_a_typed_path(browser, site):
    page = browser()
    page.goto(site.url("/"))
    page.click("nav a:has-text('Routing')")
    page.fill("#path", "/admin/users")
    page.click("form.routing button")
    steps = page.inner_text("ol.routing")
    assert 'SCRIPT_NAME = "/admin", PATH_INFO = "/users"' in steps
    assert "builds /admin/users: the path you asked for." in steps
    screenshot(page, "routing")


PAGES = [
    "/",
    "/hello",
    "/context",
    "/routing",
    "/routing?path=/follow/erin",
    "/user/erin",
    "/follow/erin",
    "/settings",
    "/nowhere",
    "/admin/",
    "/admin/hello",
    "/admin/context",
    "/admin/trace",
    "/admin/routes",
    "/admin/users",
    "/admin/outbox",
]


def test_on_a_phone_no_page_scrolls_sideways(chromium, site):
    errors = []
    page = new_page(chromium, errors, **PHONE)
    try:
        page.goto(site.url("/login"))
        assert fits(page), "/login"
        register(page, site, "erin")
        log_in_admin(page, site)
        wide = []
        for path in PAGES:
            page.goto(site.url(path))
            assert page.locator('meta[name="viewport"]').count() == 1, path
            if not fits(page):
                wide.append(path)
        assert wide == [], "these pages scroll sideways at 390 px"
        # Inside their boxes, code stays on its line (it wrapped a character
        # a line), and an opened message is wider than a column of 9.
        page.goto(site.url("/admin/routes"))
        tallest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('table.routes td code')]"
            ".map(code => code.getBoundingClientRect().height))"
        )
        assert tallest < 30, f"a route's code cell is {tallest} px tall"
        page.goto(site.url("/admin/outbox"))
        page.click("details.parts summary")  # erin's confirmation email
        opened = page.locator("details.parts[open] pre.text").first.bounding_box()
        assert opened["width"] > 250, f"an opened message is {opened['width']} px"
        page.goto(site.url("/admin/trace"))
        screenshot(page, "phone-admin-trace", full_page=False)  # one screen
        page.goto(site.url("/user/erin"))
        screenshot(page, "phone-profile", full_page=False)
    finally:
        page.context.close()
    assert errors == [], "the browser logged errors"


def test_every_page_opens_on_a_laptop(browser, site):
    # The same pages as on a phone, at 1280 px: each answers, has its one
    # heading, fits the width, and logs no error (the browser fixture).
    page = browser()
    register(page, site, "fay")
    log_in_admin(page, site)
    for path in PAGES:
        path = path.replace("erin", "fay")
        response = page.goto(site.url(path))
        assert response.status == (404 if path == "/nowhere" else 200), path
        assert page.locator("main h1").count() == 1, path
        assert fits(page), path


def fits(page):
    """Tell whether the page is no wider than the screen (no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.usefixtures("migrated_instance")
def test_with_serve_debug_the_contexts_panel_shows_this_very_request(browser, tmp_path):
    port = free_port()
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }
    command = [*serve_command(port), "--debug"]
    with running(command, env, tmp_path / "serve.log", port) as base:
        site = Site(base, tmp_path)
        page = browser()
        failed = []
        page.on(
            "response",
            lambda r: (
                failed.append(r.url)
                if "_debug_toolbar" in r.url and r.status >= 400
                else None
            ),
        )
        page.goto(site.url("/hello?from=test"))
        contexts = open_contexts_panel(page)
        assert "http://127.0.0.1" in contexts and "/hello?from=test" in contexts
        assert "frontend.main:hello" in contexts
        assert "− pop app context of frontend" in contexts  # drawn after the pops
        log_in_admin(page, site, "/admin/users")
        contexts = open_contexts_panel(page)
        assert "SCRIPT_NAME (the mount)\n'/admin'" in contexts
        assert "admin.users:index" in contexts and "/admin/users" in contexts
        # Flask-SQLAlchemy records queries for the panel (it said Unavailable).
        toolbar = page.inner_text("#flDebugToolbar")
        assert re.search(r"SQLAlchemy\s+[1-9]\d* quer", toolbar), toolbar
        page.click("a.flDebugRoutesPanel")
        routes = page.inner_text("#flDebugRoutesPanel-content")
        assert "/user/<nickname>" in routes and "/admin/routes" in routes
        screenshot(page, "debug-toolbar-admin")
        check_contexts_panel_on_a_phone(browser(**PHONE), site)
        assert failed == [], "toolbar files that did not load"


def check_contexts_panel_on_a_phone(page, site):
    """The toolbar leaves a panel 190 px on a phone: its title must stay
    above its first heading (it wrapped over it), and its values inside it."""
    page.goto(site.url("/hello"))
    open_contexts_panel(page)
    panel = "#flDebugContextsPanel-content"
    title = page.locator(f"{panel} .flDebugPanelTitle h3").bounding_box()
    heading = page.locator(f"{panel} h4").first.bounding_box()
    assert title["y"] + title["height"] <= heading["y"] + 1, "the title overlaps"
    right = page.locator(panel).bounding_box()["width"]
    widest = page.evaluate(
        f"Math.max(...[...document.querySelectorAll('{panel} dd code')]"
        ".map(code => code.getBoundingClientRect().right))"
    )
    assert widest <= right, f"a value runs to {widest} px, the panel ends at {right}"
    screenshot(page, "phone-debug-toolbar", full_page=False)


def open_contexts_panel(page):
    """Show the toolbar, open the Contexts panel; return its text."""
    if page.is_visible("#flDebugShowToolBarButton"):
        page.click("#flDebugShowToolBarButton")
    content = page.locator("#flDebugContextsPanel-content")

    def shown():
        # On a busy machine the first click can come before the toolbar's
        # script has bound it; a click on a shown panel would hide it.
        if not content.is_visible():
            page.click("a.flDebugContextsPanel")
        return content.is_visible()

    wait_until(shown, timeout=15, interval=0.5, message="the Contexts panel")
    return content.inner_text()


def test_flask_lens_panels_on_a_plain_app_that_is_not_this_site(browser):
    # Any Flask project: one app, the toolbar, and flask-lens's two panels.
    app = Flask("plain")
    app.config.update(SECRET_KEY="dev", DEBUG_TB_PANELS=LENS_PANELS)
    app.debug = True
    app.add_url_rule("/", "home", lambda: "<!doctype html><html><body>hi</body>")
    DebugToolbarExtension(app)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser()
        page.goto(f"http://127.0.0.1:{server.port}/")
        contexts = open_contexts_panel(page)
        assert "plain" in contexts and "push app context of plain" in contexts
        page.click("a.flDebugRoutesPanel")
        routes = page.inner_text("#flDebugRoutesPanel-content")
        assert "/\tGET\thome\tplain" in routes
    finally:
        server.shutdown()
        thread.join()
