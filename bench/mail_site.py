"""What figure 5's benchmarks share: the site with stars to follow, mailing a
peer, and the designs of the source texts it can be switched to."""

import gc
import threading
import time
from contextlib import contextmanager

from flask import current_app
from flask_mail import Message
from werkzeug.security import generate_password_hash
from werkzeug.test import Client

from bench.deliverers import Deliverers
from bench.sites import config
from core.accounts.models import User
from core.db import transaction
from core.extensions import db, mail
from core.mail import outbox
from core.prepare import prepare
from dispatcher import create_site
from frontend import notify
from harness.accounts import CHEAP_HASH, Account, csrf_token
from harness.local import wait_until

STAR_PASSWORD_HASH = generate_password_hash("star", method=CHEAP_HASH)


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


OUTBOX = "outbox (this site)"
SEPARATE = "outbox, a deliver process"
DESIGNS = {
    OUTBOX: notify.notify_followed,
    SEPARATE: notify.notify_followed,  # the same, sent by another process
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
        notify.notify_followed = DESIGNS[OUTBOX]


class Site:
    """The combined site, mailing ``peer``, with a logged-in fan and
    ``stars`` users to follow (confirmed, so each follow mails them).

    Its mail goes out from its own delivery threads, or, with
    ``deliverers``, from that many deliver processes beside it (``settings``
    are theirs).
    """

    def __init__(
        self, peer, stars, deliverers=0, database_url=None, poll=0.2, **settings
    ):
        front, back = config(database_url, MAIL_PORT=peer.port)
        front |= {"MAIL_DELIVERY": not deliverers, "MAIL_POLL_SECONDS": poll}
        self.site = create_site(front, back)
        prepare(self.site.apps.values())
        self.app = self.site.app
        self.fan = Client(self.site)
        Account(self.fan).register("fan")
        self._add_stars(stars)
        self.token = csrf_token(self.fan.get("/settings").text)
        if deliverers:
            self.deliverers = Deliverers(self.app, peer, deliverers, poll, **settings)
        else:
            self.deliverers = None
            self.app.extensions["outbox_delivery"].start()
        # A full collection now, as a server process settles once built
        # (core.serving.settle; not frozen: this process drops its sites).
        # Else one came due inside a follow, the same one of every run:
        # 260 ms in a round of 5a, always of the same design.
        gc.collect()

    def _add_stars(self, count):
        """Add users star0... to follow, confirmed, without a request each."""
        with self.app.app_context(), transaction():
            for n in range(count):
                db.session.add(
                    User(
                        nickname=f"star{n}",
                        nickname_key=f"star{n}",
                        email=f"star{n}@example.com",
                        email_key=f"star{n}@example.com",
                        password_hash=STAR_PASSWORD_HASH,
                        email_confirmed_at=time.time(),
                    )
                )

    def follow(self, n):
        """Press Follow on star ``n``; return the seconds it took."""
        start = time.perf_counter()
        response = self.fan.post(f"/follow/star{n}", data={"csrf_token": self.token})
        elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status
        return elapsed

    def stop(self):
        if self.deliverers is not None:
            self.deliverers.stop()
        else:
            self.app.extensions["outbox_delivery"].stop()


def arrived(peer, follows):
    """Wait until ``peer`` has every follower email, and the fan's
    confirmation (registering sent it through the outbox)."""
    peer.arrival(follows + 1)


def wait_sent(app, count):
    """Wait until ``app``'s outbox says ``count`` messages are sent (looking
    every 20 ms at most: 5c's run with a killed deliverer outwaits a lease of
    seconds, and at 5 ms this process took a second of CPU to watch it)."""
    sent = db.select(db.func.count()).where(outbox.Message.status == "sent")

    def all_sent():
        db.session.rollback()  # a fresh snapshot each time
        return db.session.scalar(sent) >= count

    with app.app_context():
        wait_until(all_sent, timeout=300, interval=0.02, message="mail sent")
