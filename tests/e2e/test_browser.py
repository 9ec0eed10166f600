"""The site in a real browser: headless Chromium driven by Playwright."""

import os
import shutil

import pytest

from harness.accounts import ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
from harness.local import free_port
from harness.servers import running, serve_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own network chatter has nowhere to go on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not os.path.exists(CHROMIUM):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError(f"REQUIRE_BROWSER is set but there is no {CHROMIUM}")
    pytest.skip(
        "Chromium is not installed (.ci/run installs it)", allow_module_level=True
    )

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site_url(tmp_path):
    """The combined site served by ``python dispatcher.py serve``."""
    port = free_port()
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),
        "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }
    with running(serve_command(port), env, tmp_path / "serve.log", port) as base:
        yield base


# Chromium logs each 4xx answer as an error: the tests ask for some on purpose.
STATUS_LINE = "Failed to load resource: the server responded with a status of"


def note_error(message, errors):
    """Keep a console error that is not just an HTTP status (a CSP refusal...)."""
    if message.type == "error" and not message.text.startswith(STATUS_LINE):
        errors.append(message.text)


@pytest.fixture
def page():
    """A fresh browser page; the test fails if the page logged an error (a
    resource the Content-Security-Policy blocked, a script error...)."""
    errors = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.on("console", lambda message: note_error(message, errors))
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
        finally:
            browser.close()
    assert errors == [], "the browser logged errors"


def register(page, base, nickname):
    """Fill in and send the registration form."""
    page.goto(f"{base}/register")
    page.fill("#nickname", nickname)
    page.fill("#email", f"{nickname}@example.com")
    page.fill("#password", "s3cret-pass")
    page.click("main button[type=submit]")


def test_register_log_out_and_in_again(page, site_url):
    register(page, site_url, "alice")
    assert page.url == f"{site_url}/user/alice"
    assert page.inner_text("h1") == "alice"
    page.click("nav button:has-text('Log out')")
    assert page.inner_text(".flash") == "Logged out."
    page.goto(f"{site_url}/login")
    page.fill("#nickname", "alice")
    page.fill("#password", "wrong-password")
    page.click("main button[type=submit]")
    assert page.inner_text(".error") == "Wrong nickname or password."


def test_the_trace_page_draws_the_stack(page, site_url, tmp_path):
    register(page, site_url, "alice")
    page.goto(f"{site_url}/admin/hello")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    assert page.url == f"{site_url}/admin/hello"  # the login kept ``next``
    assert page.inner_text("nav").count("Log out") == 1
    page.goto(f"{site_url}/admin/trace?path=/user/alice")
    first = page.locator("svg.timeline").first
    app_bar = first.locator("g.frontend.app rect").bounding_box()
    request_bar = first.locator("g.frontend.request rect").bounding_box()
    # The request context sits on its app context, inside its lifetime.
    assert request_bar["y"] < app_bar["y"]
    assert app_bar["x"] < request_bar["x"]
    assert request_bar["x"] + request_bar["width"] < app_bar["x"] + app_bar["width"]
    assert page.locator("svg.timeline").nth(1).locator("g.bar").count() == 11
    page.screenshot(path=tmp_path / "trace.png", full_page=True)
    assert (tmp_path / "trace.png").stat().st_size > 10_000
    # Logging out of the admin leaves the frontend session alone.
    page.click("nav button:has-text('Log out')")
    page.goto(f"{site_url}/")
    assert "alice" in page.inner_text("nav")
