"""The ways figure 5b sends the same messages to an SMTP server:

- the outbox: its delivery threads, with the default configuration;
- the outbox sent by one, and by two, ``python dispatcher.py deliver``
  processes (started first, woken by the commit that writes the messages);
- one ``mail.send()`` per message, one after the other (a new connection
  each, as sending inside the request does);
- a thread per message, each calling ``mail.send()`` (the source texts'
  ``send_async_email``): as many threads as messages.

Each takes a frontend app, a count and the peer, and returns the seconds it
took. The outbox's clock stops when the server accepts the last message (it
says when, ``Peer.arrival``): watching the outbox for it, every 5 ms, took
CPU from the senders it timed.
"""

import threading
import time

from flask_mail import Message

import frontend
from bench.deliverers import Deliverers
from bench.mail_site import wait_sent
from bench.sites import fresh_sqlite
from core.db import transaction
from core.extensions import mail
from core.mail import outbox
from core.prepare import prepare


def make_app(port):
    """A frontend app on a fresh SQLite file, mailing the peer at ``port``."""
    app = frontend.create_app(
        {
            "DATABASE": fresh_sqlite(),
            "SECRET_KEY": "bench",
            "MAIL_PORT": port,
            "MAIL_DELIVERY": False,  # started by hand, below
        }
    )
    prepare([app])
    return app


def message(n):
    """The n-th test message."""
    return Message(
        subject=f"message {n}",
        recipients=[f"user{n}@example.com"],
        body="hello",
        html="<p>hello</p>",
        sender="Site <noreply@localhost>",
    )


def write(count):
    """Add ``count`` messages to the outbox, in the caller's transaction."""
    for n in range(count):
        m = message(n)
        outbox.enqueue(m.sender, m.recipients[0], m.subject, m.body, m.html)


def by_outbox(app, count, peer):
    """Seconds for the outbox's delivery threads to send ``count`` messages."""
    with app.app_context(), transaction():
        write(count)
    threads = app.extensions["outbox_delivery"]
    start = time.monotonic()
    threads.start()
    elapsed = peer.arrival(count) - start
    wait_sent(app, count)  # every mark written before the threads stop
    threads.stop()
    return elapsed


def by_deliverers(processes):
    """The way of ``processes`` deliver processes, started before the clock."""

    def way(app, count, peer):
        deliverers = Deliverers(app, peer, processes, poll=60.0)
        try:
            with app.app_context(), transaction():
                write(count)
                start = time.monotonic()  # from the commit, which wakes them
            elapsed = peer.arrival(count) - start
            wait_sent(app, count)  # every mark written before they stop
            return elapsed
        finally:
            deliverers.stop()

    return way


def by_send_each(app, count, peer):
    """Seconds to send ``count`` messages with one ``mail.send()`` each."""
    with app.app_context():
        start = time.perf_counter()
        for n in range(count):
            mail.send(message(n))
        return time.perf_counter() - start


def by_thread_each(app, count, peer):
    """Seconds to send ``count`` messages, each from a thread of its own."""

    def send(n):
        with app.app_context():
            mail.send(message(n))

    start = time.perf_counter()
    workers = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


WAYS = {
    "outbox": by_outbox,
    "outbox, one deliver process": by_deliverers(1),
    "outbox, two deliver processes": by_deliverers(2),
    "one send() per message": by_send_each,
    "a thread per message": by_thread_each,
}
