"""Follower emails: rendered in the request, delivered by the outbox sender.

Every test talks to a real SMTP server (aiosmtpd) and a real database, SQLite
and PostgreSQL in turn, and waits by polling for the outcome.
"""

import threading
import time
from email import message_from_bytes, policy

import pytest
from sqlalchemy import event
from werkzeug.test import Client

import frontend
from core.db import transaction
from core.extensions import db
from core.mail import claims, outbox
from core.mail.delivery import Deliverer
from core.mail.message import build_message
from core.mail.retries import retry_delay
from dispatcher import create_site
from harness.accounts import AdminAccount, submit
from harness.local import wait_until
from tests.helpers import (
    follow,
    follower_emails,
    outbox_rows,
    register_confirmed,
    wait_for_status,
)

pytestmark = pytest.mark.both_backends


def test_following_sends_the_followed_user_one_email(users, smtp, database_url):
    response = follow(users["alice"], "bob")
    assert response.status_code == 302
    assert response.headers["Location"] == "/user/bob"
    [row] = wait_for_status(database_url, "sent")
    wait_until(lambda: smtp.messages, message="the email")
    [email] = smtp.messages
    assert email["To"] == "bob@example.com"
    assert email["From"] == "Flask Site <noreply@localhost>"
    assert email["Subject"] == "alice is now following you"
    assert email["Message-ID"] == row["message_id"]
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert text.startswith("Dear bob,")
    assert "http://localhost/user/alice" in text
    assert '<a href="http://localhost/user/alice">alice</a>' in html
    assert row["attempts"] == 1
    page = users["alice"].get("/user/bob").get_data(as_text=True)
    assert "You are now following bob." in page
    assert "1 follower," in page and "Unfollow" in page


def test_text_beyond_ascii_reads_back_as_written(frontend_app):
    # The finished bytes are written with headers as Flask-Mail made them
    # (core.mail.message.FINISHED): what was not ASCII must come out encoded.
    with frontend_app.app_context():
        raw = build_message(
            "<1@example.com>",
            "Zoë’s Site <site@example.com>",
            "bob@bücher.example",
            "Ça suit: zoë is now following you, and this subject runs long",
            "Dear bob, ünïcode.",
            "<p>Dear bob, ünïcode.</p>",
        )
    headers = raw.split(b"\r\n\r\n")[0]  # the bodies are 8bit, as Flask-Mail sends
    assert headers.isascii() and max(map(len, raw.split(b"\r\n"))) <= 998
    email = message_from_bytes(raw, policy=policy.default)
    assert email["From"] == "Zoë’s Site <site@example.com>"
    assert email["To"] == "bob@xn--bcher-kva.example"
    assert email["Subject"] == (
        "Ça suit: zoë is now following you, and this subject runs long"
    )
    assert email.get_body(("plain",)).get_content().strip() == "Dear bob, ünïcode."


def test_the_request_returns_while_the_smtp_server_stalls(users, smtp, database_url):
    smtp.recorder.open.clear()
    response = follow(users["alice"], "bob")
    assert response.status_code == 302
    # The sender is now stuck in the SMTP conversation; the page was not.
    wait_until(lambda: smtp.recorder.waiting == 1, message="the stalled DATA")
    assert smtp.messages == []
    assert users["alice"].get("/user/bob").status_code == 200
    smtp.recorder.open.set()
    wait_for_status(database_url, "sent")
    assert len(smtp.messages) == 1


def test_smtp_server_down_then_back(users, smtp, database_url):
    smtp.stop()
    follow(users["alice"], "bob")

    def retried_twice():
        # One read: between two, the next attempt may claim it ("sending").
        [row] = outbox_rows(database_url)
        return row if row["attempts"] >= 2 and row["status"] != "sending" else None

    row = wait_until(retried_twice, message="two failed attempts")
    assert row["status"] == "pending"  # due again, not failed
    assert "ConnectionRefusedError" in row["last_error"]
    smtp.start()
    wait_for_status(database_url, "sent")
    wait_until(lambda: smtp.messages, message="the email")
    assert len(smtp.messages) == 1


def test_a_451_is_retried_and_delivered_once(users, smtp, database_url):
    smtp.recorder.replies.append("451 4.3.0 Try again later")
    follow(users["alice"], "bob")
    [row] = wait_for_status(database_url, "sent")
    assert row["attempts"] == 2
    assert "451" in row["last_error"]
    assert len(smtp.messages) == 1


def test_a_550_is_kept_as_failed_shown_and_retried_by_hand(
    users, smtp, database_url, mail_site
):
    smtp.recorder.replies.append("550 5.1.1 No such mailbox")
    follow(users["alice"], "bob")
    [row] = wait_for_status(database_url, "failed")
    assert row["attempts"] == 1
    assert "550" in row["last_error"] and "No such mailbox" in row["last_error"]
    admin = Client(mail_site)
    AdminAccount(admin, "/admin").login()
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert '<td class="status">failed</td>' in page
    assert "550" in page and "bob@example.com" in page
    retry_url = f"/admin/outbox/{row['id']}/retry"
    response = submit(admin, retry_url, {}, form_url="/admin/outbox")
    assert response.status_code == 302
    wait_for_status(database_url, "sent")
    assert len(smtp.messages) == 1
    again = submit(admin, retry_url, {}, form_url="/admin/outbox")
    assert again.status_code == 409  # only a failed message can be retried


def test_temporary_failures_end_as_failed_when_the_window_is_over(
    mail_config, admin_config, database_url
):
    # A 2-second retry window (MAIL_GIVE_UP_HOURS), and nothing listens.
    config = {**mail_config, "MAIL_GIVE_UP_HOURS": 2 / 3600, "MAIL_PORT": 1}
    site = create_site(config, admin_config)
    site.services.start()
    try:
        clients = [Client(site), Client(site)]
        register_confirmed(clients[0], "bob", database_url)
        register_confirmed(clients[1], "alice", database_url)
        follow(clients[1], "bob")
        [row] = wait_for_status(database_url, "failed")
    finally:
        site.services.stop()
    assert row["attempts"] >= 2
    assert row["last_error"].startswith("gave up after")
    assert "ConnectionRefusedError" in row["last_error"]


def test_a_restart_resumes_pending_mail(mail_config, admin_config, smtp, database_url):
    smtp.stop()
    first = create_site(mail_config, admin_config)
    first.services.start()
    clients = [Client(first), Client(first)]
    register_confirmed(clients[0], "bob", database_url)
    register_confirmed(clients[1], "alice", database_url)
    follow(clients[1], "bob")
    wait_until(
        lambda: outbox_rows(database_url)[0]["attempts"] >= 1, message="an attempt"
    )
    first.services.stop()  # the process stops
    smtp.start()
    second = frontend.create_app(mail_config)  # the process starts again
    second.extensions["outbox_delivery"].start()
    try:
        wait_for_status(database_url, "sent")
    finally:
        second.extensions["outbox_delivery"].stop()
    assert [m["To"] for m in follower_emails(smtp)] == ["bob@example.com"]


def test_several_senders_send_each_message_once(
    mail_config, admin_config, smtp, database_url
):
    apps = [frontend.create_app(mail_config) for _ in range(3)]  # three "processes"
    site = create_site({**mail_config, "MAIL_DELIVERY": False}, admin_config)
    names = [f"user{n}" for n in range(6)]
    clients = {name: Client(site) for name in names}
    for name in names:
        register_confirmed(clients[name], name, database_url)
    for app in apps:
        app.extensions["outbox_delivery"].start()
    try:
        for follower in names:
            for followed in names:
                if follower != followed:
                    follow(clients[follower], followed)
        expected = len(names) * (len(names) - 1)
        wait_for_status(database_url, "sent", count=expected)
    finally:
        for app in apps:
            app.extensions["outbox_delivery"].stop()
    ids = [email["Message-ID"] for email in follower_emails(smtp)]
    assert len(ids) == expected and len(set(ids)) == expected
    assert [app.extensions["outbox_delivery"].alive for app in apps] == [[], [], []]


def test_sending_threads_stay_bounded(users, mail_site, smtp, database_url):
    for nickname in ("carol", "dave", "erin"):
        register_confirmed(Client(mail_site), nickname, database_url)
        follow(users["alice"], nickname)
        follow(users["bob"], nickname)
    wait_for_status(database_url, "sent", count=6)
    threads = mail_site.app.extensions["outbox_delivery"].alive
    assert len(threads) == mail_site.app.config["MAIL_DELIVERY_THREADS"]


def test_following_again_changes_nothing_and_sends_nothing(users, smtp, database_url):
    follow(users["alice"], "bob")
    response = follow(users["alice"], "bob")
    page = users["alice"].get(response.headers["Location"]).get_data(as_text=True)
    assert "You already follow bob." in page
    assert "1 follower," in page
    assert len(outbox_rows(database_url)) == 1


def test_unfollow_sends_nothing(users, smtp, database_url):
    follow(users["alice"], "bob")
    wait_for_status(database_url, "sent")
    response = submit(users["alice"], "/unfollow/bob", {}, form_url="/user/bob")
    page = users["alice"].get(response.headers["Location"]).get_data(as_text=True)
    assert "You no longer follow bob." in page and "0 followers," in page
    assert len(outbox_rows(database_url)) == 1


def self_follow(users):
    return follow(users["alice"], "alice")


def unknown_user(users):
    return submit(users["alice"], "/follow/nobody", {}, form_url="/user/alice")


def get_request(users):
    return users["alice"].get("/follow/bob")


def missing_csrf(users):
    return users["alice"].post("/follow/bob")


def not_logged_in(users):
    return submit(Client(users["alice"].application), "/follow/bob", {}, "/login")


@pytest.mark.parametrize(
    ("action", "status", "text"),
    [
        (self_follow, 400, "You cannot follow or unfollow yourself."),
        (unknown_user, 404, "There is no user named &#39;nobody&#39;."),
        (get_request, 200, "press the button to follow bob"),
        (missing_csrf, 400, "The CSRF token is missing."),
        (not_logged_in, 302, ""),
    ],
)
def test_bad_input_sends_nothing(users, smtp, database_url, action, status, text):
    response = action(users)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert outbox_rows(database_url) == []
    # A good follow afterwards is the only mail that arrives.
    follow(users["bob"], "alice")
    wait_for_status(database_url, "sent")
    assert [email["Subject"] for email in smtp.messages] == ["bob is now following you"]


def test_not_logged_in_is_sent_to_log_in_then_back(users):
    response = not_logged_in(users)
    assert response.headers["Location"] == "/login?next=/user/bob"


def test_claims_are_exclusive_and_released_claims_are_due_again(mail_config):
    app = frontend.create_app(mail_config)
    with app.app_context():
        with transaction():
            ids = [outbox.enqueue("s@x", "r@x", "s", "b", "h") for _ in range(3)]
        claimed = claims.claim("w1", limit=3, lease=300)
        assert [row.id for row in claimed] == ids
        assert claims.claim("w2", limit=3, lease=300) == []  # all taken
        claims.release([row.id for row in claimed], "w1")
        assert len(claims.claim("w2", limit=3, lease=300)) == 3


def test_an_expired_claim_is_taken_over(mail_config):
    app = frontend.create_app(mail_config)
    with app.app_context():
        with transaction():
            outbox.enqueue("s@x", "r@x", "s", "b", "h")
        [row] = claims.claim("dead-worker", limit=1, lease=0)
        [again] = claims.claim("w2", limit=1, lease=300)
        assert again.id == row.id
        assert (again.attempts, again.takeovers) == (1, 1)  # a takeover counts
        later = time.time() + 300
        assert claims.record("dead-worker", [row.id], later) == (set(), set())
        assert claims.record("w2", [row.id], later) == ({row.id}, set())


@pytest.mark.parametrize(
    ("attempts", "delay"), [(1, 5), (2, 10), (3, 20), (6, 160), (7, 300), (20, 300)]
)
def test_retry_delays_double_up_to_a_ceiling(attempts, delay):
    assert retry_delay(attempts, base=5, ceiling=300) == delay


def test_a_sent_mark_that_matches_nothing_is_logged(mail_config, caplog):
    app = frontend.create_app(mail_config)
    with app.app_context():
        with transaction():
            outbox.enqueue("s@x", "r@example.com", "s", "b", "h")
        [row] = claims.claim("slow-sender", limit=1, lease=0)
        claims.claim("other-sender", limit=1, lease=300)  # it took the message over
        slow = Deliverer("slow-sender", app.config, threading.Event())
        slow.sent = [row.id]  # it sent the message all the same, late
        assert slow.record() == set()
    assert f"message {row.id} was sent after its claim passed on" in caplog.text


def test_a_message_wakes_one_delivery_thread_not_all(mail_config, admin_config, smtp):
    # Woken all at once, the eight threads each asked the outbox for work
    # when one message was written, and each claim waited for the others'.
    site = create_site({**mail_config, "MAIL_POLL_SECONDS": 60}, admin_config)
    asking, idle = [], []

    def watch(connection, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT EXISTS"):
            asking.append(threading.current_thread().name)
        elif "min(outbox" in statement:  # claims.next_due: about to sleep
            idle.append(threading.current_thread().name)

    with site.app.app_context():
        event.listen(db.engine, "before_cursor_execute", watch)
    site.services.start()
    try:
        wait_until(lambda: len(set(idle)) == 8, message="every thread asleep")
        asking.clear()
        with site.app.app_context(), transaction():
            outbox.enqueue("s@localhost", "ann@example.com", "Hi", "Hi", "<p>Hi</p>")
        wait_until(lambda: smtp.messages, message="the message")
    finally:
        site.services.stop()
    assert len(set(asking)) <= 2, f"{len(set(asking))} threads woke for one message"
