"""The background sender: delivers the outbox outside every request.

Each app that sends mail has one ``Sender`` per process, with a fixed number
of threads (``MAIL_SENDER_THREADS``) whatever the load. A thread sleeps until
it is woken (right after a commit) or the poll interval passes, claims due
messages, sends them over one SMTP connection, and records each outcome.
"""

import atexit
import logging
import os
import socket
import threading
import weakref

from core import outbox
from core.db import get_db
from core.extensions import mail
from core.mail import (
    breaks_connection,
    build_message,
    describe,
    is_permanent,
    retry_delay,
)

log = logging.getLogger(__name__)
_senders = weakref.WeakSet()  # every Sender of this process, for the hooks below


class Sender:
    """The sending threads of one app in this process."""

    def __init__(self, app):
        # The real app object, not the current_app proxy: the threads have no
        # context of their own until they push one.
        self.app = app
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads = []
        self._pid = None

    def start(self):
        """Start the threads, once per process (again in a forked child)."""
        if self._pid == os.getpid() and not self._stopping.is_set():
            return  # running: the common case, before every request
        with self._lock:
            if self._pid == os.getpid() and not self._stopping.is_set():
                return
            self._pid = os.getpid()
            self._stopping.clear()
            count = self.app.config["MAIL_SENDER_THREADS"]
            self._threads = [
                threading.Thread(target=self._run, name=f"outbox-{n}", daemon=True)
                for n in range(count)
            ]
            for thread in self._threads:
                thread.start()

    @property
    def threads(self):
        """The sending threads alive now."""
        return [thread for thread in self._threads if thread.is_alive()]

    def wake(self):
        """Tell the threads that messages are due now."""
        self._wake.set()

    def stop(self, timeout=None):
        """Let each thread finish its message, hand back the rest, and end."""
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._pid = None

    def _run(self):
        worker = (
            f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"
        )
        while not self._stopping.is_set():
            try:
                with self.app.app_context():  # this thread's own app context
                    self._drain(worker)
            except Exception:  # the database was busy, say: try again later
                log.exception("outbox sender %s failed; will poll again", worker)
            self._wake.wait(self.app.config["MAIL_POLL_SECONDS"])
            self._wake.clear()

    def _drain(self, worker):
        """Claim and send due messages until none is left."""
        config, db = self.app.config, get_db()
        while not self._stopping.is_set():
            batch = outbox.claim(
                db, worker, config["MAIL_BATCH_SIZE"], config["MAIL_LEASE_SECONDS"]
            )
            if not batch:
                return
            self._send_batch(db, worker, batch)

    def _send_batch(self, db, worker, batch):
        """Send a claimed batch over one connection."""
        remaining, connected = list(batch), False
        try:
            with mail.connect() as connection:
                connected = True
                while remaining and not self._stopping.is_set():
                    self._send_one(db, worker, connection, remaining.pop(0))
        except Exception as error:
            if not connected:  # no message could go out: each one failed
                for row in remaining:
                    self._record_failure(db, worker, row, error)
                remaining = []
        for row in remaining:  # not tried (stopping, or the connection broke)
            outbox.release(db, row["id"], worker)

    def _send_one(self, db, worker, connection, row):
        """Send one message and record the outcome."""
        try:
            connection.send(build_message(row))
        except Exception as error:
            self._record_failure(db, worker, row, error)
            if breaks_connection(error):
                raise
        else:
            outbox.mark_sent(db, row["id"], worker)

    def _record_failure(self, db, worker, row, error):
        """Keep a permanent failure; schedule a temporary one again."""
        config, attempts = self.app.config, row["attempts"] + 1
        if is_permanent(error) or attempts >= config["MAIL_MAX_ATTEMPTS"]:
            outbox.mark_failed(db, row["id"], worker, describe(error))
            log.warning("message %s failed for good: %s", row["id"], describe(error))
            return
        base, ceiling = config["MAIL_RETRY_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
        delay = retry_delay(attempts, base, ceiling)
        outbox.mark_retry(db, row["id"], worker, describe(error), delay)


def init_app(app):
    """Give ``app`` a sender, started by its first request in each process."""
    sender = Sender(app)
    app.extensions["outbox_sender"] = sender
    _senders.add(sender)
    if app.config["MAIL_SENDER"]:
        app.before_request(sender.start)


def wake(app):
    """Wake ``app``'s sender (after a commit that added mail)."""
    app.extensions["outbox_sender"].wake()


def wake_all():
    """Wake every sender of this process."""
    for sender in list(_senders):
        sender.wake()


def start_all():
    """Start the senders of every app configured to send (at server start)."""
    for sender in list(_senders):
        if sender.app.config["MAIL_SENDER"]:
            sender.start()


@atexit.register
def stop_all():
    """Stop every sender of this process, letting in-flight messages finish."""
    for sender in list(_senders):
        sender.stop()
