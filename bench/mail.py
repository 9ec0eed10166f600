"""Figure 5: mail, against an SMTP server process answering in 0, 50, 200 ms.

a. The follow page's latency (p50, p99) with the site's design (the outbox,
   sent by delivery threads after the request) next to the two designs of
   the source texts, measured the same way: sending inside the request, and
   a thread per email. The other two are the same site with its
   ``notify.notify_followed`` replaced.
b. Delivery throughput: bench/mail_throughput.py.
c. A burst of 500 follows (server at 50 ms): the threads and the memory the
   process reaches, and whether every email arrived, once.
"""

import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from flask_mail import Message
from werkzeug.security import generate_password_hash
from werkzeug.test import Client

from bench import mail_throughput
from bench.sites import config
from bench.table import Row, percentile
from core.accounts.models import User
from core.db import transaction
from core.extensions import db, mail
from core.prepare import prepare
from dispatcher import create_site
from frontend import notify
from harness.accounts import Account, csrf_token
from harness.local import wait_until

FIGURE_LATENCY = "5a. The follow page's latency with a slow SMTP server (ms)"
FIGURE_RATE = "5b. Delivery throughput (messages/s, higher is better)"
FIGURE_BURST = "5c. A burst of 500 follows, server at 50 ms"
DELAYS = (0.0, 0.05, 0.2)
CHEAP_HASH = generate_password_hash("star", method="pbkdf2:sha256:1")


def email_for(follower, followed):
    return Message(
        subject=f"{follower.nickname} is now following you",
        recipients=[followed.email],
        body=f"{follower.nickname} follows you.",
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )


def send_in_request(follower, followed):
    """The first design of the source texts: mail.send() in the view."""
    mail.send(email_for(follower, followed))
    return False


def thread_per_email(follower, followed):
    """The second: a new thread per email (``send_async_email``)."""
    app, message = current_app._get_current_object(), email_for(follower, followed)

    def send():
        with app.app_context():
            mail.send(message)

    threading.Thread(target=send).start()
    return False


DESIGNS = {
    "outbox (this site)": notify.notify_followed,
    "send inside the request": send_in_request,
    "a thread per email": thread_per_email,
}


@contextmanager
def design(name):
    """Run the block with the follow page notifying the ``name`` way."""
    notify.notify_followed = DESIGNS[name]
    try:
        yield
    finally:
        notify.notify_followed = DESIGNS["outbox (this site)"]


class Site:
    """The combined site, mailing ``peer``, with a logged-in fan and
    ``stars`` users to follow (confirmed, so each follow mails them)."""

    def __init__(self, peer, stars):
        front, back = config(MAIL_PORT=peer.port, MAIL_DELIVERY=True)
        front["MAIL_POLL_SECONDS"] = 0.2
        self.site = create_site(front, back)
        prepare(self.site.apps.values())
        self.app = self.site.app
        self.fan = Client(self.site)
        Account(self.fan).register("fan")
        with self.app.app_context(), transaction():
            for n in range(stars):
                db.session.add(
                    User(
                        nickname=f"star{n}",
                        email=f"star{n}@example.com",
                        password_hash=CHEAP_HASH,
                        email_confirmed_at=time.time(),
                    )
                )
        self.token = csrf_token(self.fan.get("/settings").text)
        self.app.extensions["outbox_delivery"].start()

    def follow(self, n):
        """Press Follow on star ``n``; return the seconds it took."""
        start = time.perf_counter()
        response = self.fan.post(f"/follow/star{n}", data={"csrf_token": self.token})
        elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status
        return elapsed

    def stop(self):
        self.app.extensions["outbox_delivery"].stop()


def arrived(peer, follows):
    """Wait until ``peer`` has every follower email, and the fan's
    confirmation (registering sent it through the outbox)."""
    wait_until(lambda: peer.received() >= follows + 1, timeout=300)


def follow_times(name, delay, follows):
    """Milliseconds of each of ``follows`` follows, the ``name`` way, with
    the server answering after ``delay`` seconds."""
    peer = mail_throughput.Peer(delay)
    site = Site(peer, follows)
    try:
        with design(name):
            times = [site.follow(n) * 1000 for n in range(follows)]
        arrived(peer, follows)
    finally:
        site.stop()
        peer.stop()
    return times


def latency_rows(follows, rounds):
    """Figure 5a: p50 and p99 per design and server delay, one sample of
    each per round (the designs and delays take turns in every round)."""
    samples = {}
    for _ in range(rounds):
        for delay in DELAYS:
            for name in DESIGNS:
                times = follow_times(name, delay, follows)
                for share in (0.5, 0.99):
                    key = (name, delay, share)
                    samples.setdefault(key, []).append(percentile(times, share))
    rows = []
    for name in DESIGNS:
        for share in (0.5, 0.99):
            for delay in DELAYS:
                label = f"{name}, p{share * 100:.0f}"
                base = f"{label}, server 0 ms" if delay else None
                label = f"{label}, server {delay * 1000:.0f} ms"
                values = samples[(name, delay, share)]
                rows.append(Row(FIGURE_LATENCY, label, "ms", values, base))
    return rows


def rate_rows(messages, rounds):
    """Figure 5b, from bench/mail_throughput.py."""
    rows = []
    for delay in mail_throughput.DELAYS:
        rates = mail_throughput.measure(delay, messages, rounds)
        for name, samples in rates.items():
            server = f"server {delay * 1000:.0f} ms"
            label = f"{name}, {server}"
            base = f"one send() per message, {server}"
            base = None if label == base else base
            rows.append(Row(FIGURE_RATE, label, "msg/s", samples, base, False))
    return rows


def rss_mb():
    """This process's resident memory, in MB (from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def peaks():
    """Sample the thread count and memory every 10 ms; yield the peaks."""
    found = {"threads": threading.active_count(), "rss": rss_mb(), "start": rss_mb()}
    stop = threading.Event()

    def sample():
        while not stop.wait(0.01):
            found["threads"] = max(found["threads"], threading.active_count() - 1)
            found["rss"] = max(found["rss"], rss_mb())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield found
    finally:
        stop.set()
        sampler.join()


def burst_rows(follows):
    """Figure 5c: threads, memory, lost and doubled, for two designs."""
    rows = []
    for name in ("outbox (this site)", "a thread per email"):
        peer = mail_throughput.Peer(0.05)
        site = Site(peer, follows)
        try:
            with peaks() as peak, design(name):
                start = time.perf_counter()
                for n in range(follows):
                    site.follow(n)
                arrived(peer, follows)
                seconds = time.perf_counter() - start
            site.site.services.wake()
            received = peer.received()
        finally:
            site.stop()
            peer.stop()
        for what, value, unit in (
            ("peak threads", peak["threads"], "threads"),
            ("memory growth", peak["rss"] - peak["start"], "MB"),
            ("all delivered after", seconds, "s"),
            ("lost", max(0, follows + 1 - received), "emails"),
            ("doubled", max(0, received - follows - 1), "emails"),
        ):
            rows.append(Row(FIGURE_BURST, f"{name}: {what}", unit, [value]))
    return rows


def measure(smoke=False):
    """The figure's rows (5a, 5b, 5c)."""
    if smoke:
        return latency_rows(3, 1) + rate_rows(5, 1) + burst_rows(5)
    return latency_rows(50, 3) + rate_rows(200, 3) + burst_rows(500)
