"""No mail to strangers: confirmed addresses, few follower emails, and one
click to stop them. Each case against a real SMTP server (aiosmtpd)."""

import re
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from dispatcher import create_site
from harness.accounts import Account, confirmation_link, submit
from harness.local import wait_until
from tests.helpers import (
    follow,
    follower_emails,
    outbox_rows,
    register_confirmed,
    wait_for_status,
)

pytestmark = pytest.mark.both_backends


def unfollow(client, nickname):
    """Press the Unfollow button on ``nickname``'s profile."""
    return submit(client, f"/unfollow/{nickname}", {}, form_url=f"/user/{nickname}")


def fans(site, database_url, count, prefix="fan"):
    """Clients of ``count`` new confirmed users."""
    clients = []
    for n in range(count):
        client = Client(site)
        register_confirmed(client, f"{prefix}{n}", database_url)
        clients.append(client)
    return clients


def test_registering_mails_a_link_that_confirms_in_any_browser(
    mail_site, smtp, database_url
):
    Account(Client(mail_site)).register("bob")
    wait_until(lambda: smtp.messages, message="the confirmation email")
    [email] = smtp.messages
    assert email["To"] == "bob@example.com"
    assert email["Subject"] == "Confirm your email address"
    link = confirmation_link(database_url, "bob@example.com")
    assert link in email.get_body(("plain",)).get_content()
    assert link.startswith("http://localhost/confirm/")  # the PUBLIC_URL
    path = urlsplit(link).path
    stranger = Client(mail_site)  # another browser, not logged in
    page = stranger.get(path)
    assert page.status_code == 200
    assert "bob@example.com is confirmed" in page.text
    again = stranger.get(path)
    assert "Already confirmed" in again.text


@pytest.mark.parametrize(
    ("make_path", "status", "text"),
    [
        (lambda link: link + "x", 400, "This link is not valid"),
        # Explained like a bad confirmation link (it was a bare 400 page).
        (
            lambda link: link.replace("/confirm/", "/unsubscribe/"),
            400,
            "turn follower emails off in your settings",
        ),
    ],
)
def test_an_altered_or_misused_link_confirms_nothing(
    mail_site, database_url, make_path, status, text
):
    Account(Client(mail_site)).register("bob")
    path = make_path(urlsplit(confirmation_link(database_url, "bob@example.com")).path)
    response = Client(mail_site).post(path) if "unsubscribe" in path else None
    response = response or Client(mail_site).get(path)
    assert response.status_code == status
    assert text in response.text
    settings = Client(mail_site)
    Account(settings).login("bob")
    assert "is not confirmed yet" in settings.get("/settings").text


def test_an_expired_link_says_so(mail_site, database_url):
    Account(Client(mail_site)).register("bob")
    path = urlsplit(confirmation_link(database_url, "bob@example.com")).path
    mail_site.app.config["CONFIRM_MAX_AGE_HOURS"] = -1  # every link is too old
    response = Client(mail_site).get(path)
    assert response.status_code == 400
    assert "This link has expired" in response.text


def test_an_unconfirmed_address_gets_no_follower_email(mail_site, smtp, database_url):
    bob = Client(mail_site)
    Account(bob).register("bob")
    alice = Client(mail_site)
    register_confirmed(alice, "alice", database_url)
    assert follow(alice, "bob").status_code == 302
    profile = bob.get("/user/bob").text
    assert "Confirm your address: we sent a link to bob@example.com" in profile
    assert "Confirm your address" not in alice.get("/user/bob").text
    assert outbox_rows(database_url) == []  # no follower email was written
    register_confirmed(Client(mail_site), "carol", database_url)
    # bob confirms; the next follower is announced.
    path = urlsplit(confirmation_link(database_url, "bob@example.com")).path
    assert bob.get(path).status_code == 200
    carol = Client(mail_site)
    Account(carol).login("carol")
    follow(carol, "bob")
    wait_for_status(database_url, "sent")
    assert [m["Subject"] for m in follower_emails(smtp)] == [
        "carol is now following you"
    ]


def test_the_link_is_sent_again_at_most_every_few_minutes(
    mail_site, smtp, database_url
):
    bob = Client(mail_site)
    Account(bob).register("bob")
    refused = submit(bob, "/settings/confirmation", {}, form_url="/settings")
    assert refused.status_code == 429
    assert "A link was sent less than 5 minutes ago" in refused.text
    mail_site.app.config["CONFIRM_RESEND_SECONDS"] = 0
    sent = submit(bob, "/settings/confirmation", {}, form_url="/settings")
    assert sent.status_code == 302
    wait_until(lambda: len(smtp.messages) == 2, message="two confirmations")
    assert {m["To"] for m in smtp.messages} == {"bob@example.com"}


def test_one_account_per_address_in_any_letter_case(mail_site, database_url):
    register_confirmed(Client(mail_site), "bob", database_url)
    response = Account(Client(mail_site)).register("robert", email="BOB@Example.COM")
    assert response.status_code == 400
    assert "That address has an account already." in response.text


def test_follow_unfollow_follow_in_a_day_sends_one_email(users, smtp, database_url):
    for action in (follow, unfollow, follow, unfollow, follow):
        assert action(users["alice"], "bob").status_code == 302
    wait_for_status(database_url, "sent")
    assert [m["Subject"] for m in follower_emails(smtp)] == [
        "alice is now following you"
    ]
    assert len(outbox_rows(database_url)) == 1


def test_over_the_hourly_limit_followers_wait_for_one_digest(
    mail_config, admin_config, smtp, database_url
):
    # Two emails per 5-second window (long enough for five follows on a busy
    # machine); the other three followers, one digest after the window.
    config = {**mail_config, "NOTIFY_HOURLY_LIMIT": 2, "NOTIFY_WINDOW_SECONDS": 5}
    config["DIGEST_CHECK_SECONDS"] = 0.2
    site = create_site(config, admin_config)
    site.services.start()
    try:
        register_confirmed(Client(site), "bob", database_url)
        for client in fans(site, database_url, 5):
            assert follow(client, "bob").status_code == 302
        wait_for_status(database_url, "sent", count=3)
    finally:
        site.services.stop()
    subjects = [m["Subject"] for m in follower_emails(smtp)]
    assert subjects == [
        "fan0 is now following you",
        "fan1 is now following you",
        "3 new followers",
    ]
    digest = follower_emails(smtp)[2].get_body(("plain",)).get_content()
    for name in ("fan2", "fan3", "fan4"):
        assert f"- {name}: http://localhost/user/{name}" in digest


def test_the_unsubscribe_header_is_the_link_itself_however_long(
    users, smtp, database_url
):
    # A real domain and token make the header longer than a line: folded as
    # Python's SMTP policy folds, it came out as RFC 2047 encoded words,
    # which no mail client reads as the one-click link.
    domain = "mail.a-rather-long-domain.example.com"
    config = users["bob"].application.app.config  # the frontend's
    config.update(PUBLIC_URL=f"https://{domain}")
    config["TRUSTED_HOSTS"] = [*config["TRUSTED_HOSTS"], domain]
    follow(users["alice"], "bob")
    wait_for_status(database_url, "sent")
    [email] = follower_emails(smtp)
    [value] = [value for name, value in email.raw_items() if name == "List-Unsubscribe"]
    link = rf"<https://{re.escape(domain)}/unsubscribe/\S+>"
    assert re.fullmatch(rf"\s*{link}", value), value


def test_one_click_unsubscribes_from_the_email_itself(users, smtp, database_url):
    follow(users["alice"], "bob")
    wait_for_status(database_url, "sent")
    [email] = follower_emails(smtp)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(email["List-Unsubscribe"]).strip().strip("<>")
    assert link in email.get_body(("plain",)).get_content()
    mail_client = Client(users["bob"].application)  # no cookies, no CSRF token
    asked = mail_client.get(urlsplit(link).path)
    assert asked.status_code == 200 and "Unsubscribe" in asked.text
    done = mail_client.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "no more follower emails at bob@example.com" in done.text
    carol = fans(users["bob"].application, database_url, 1, "carol")[0]
    follow(carol, "bob")
    assert len(outbox_rows(database_url)) == 1  # nothing new for bob


def test_the_settings_page_turns_follower_emails_off_and_on(users, smtp, database_url):
    bob = users["bob"]
    page = bob.get("/settings").text
    assert "bob@example.com is confirmed" in page and "checked" in page
    assert submit(bob, "/settings", {}).status_code == 302  # the box unticked
    follow(users["alice"], "bob")
    assert outbox_rows(database_url) == []
    submit(bob, "/settings", {"notify_followers": "y"})
    unfollow(users["alice"], "bob")
    carol = fans(bob.application, database_url, 1, "carol")[0]
    follow(carol, "bob")
    wait_for_status(database_url, "sent")
    assert [m["Subject"] for m in follower_emails(smtp)] == [
        "carol0 is now following you"
    ]


def test_settings_need_a_login(mail_site):
    response = Client(mail_site).get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
