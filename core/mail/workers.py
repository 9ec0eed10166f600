"""The delivery threads: each app that sends mail delivers its outbox here.

Each such app has one ``DeliveryThreads`` per process, with a fixed number of
threads (``MAIL_DELIVERY_THREADS``) whatever the load. A thread sleeps until
it is woken (right after a commit) or the poll interval passes, claims due
messages and hands them to ``delivery.deliver_batch``.
"""

import atexit
import logging
import os
import socket
import threading
import weakref

from core.mail import outbox
from core.mail.delivery import deliver_batch

log = logging.getLogger(__name__)
_all_threads = weakref.WeakSet()  # every DeliveryThreads of this process


class DeliveryThreads:
    """The delivery threads of one app in this process."""

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
            count = self.app.config["MAIL_DELIVERY_THREADS"]
            self._threads = [
                threading.Thread(target=self._run, name=f"outbox-{n}", daemon=True)
                for n in range(count)
            ]
            for thread in self._threads:
                thread.start()

    @property
    def alive(self):
        """The delivery threads alive now."""
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
                log.exception("outbox delivery %s failed; will poll again", worker)
            self._wake.wait(self.app.config["MAIL_POLL_SECONDS"])
            self._wake.clear()

    def _drain(self, worker):
        """Claim and deliver due messages until none is left."""
        config = self.app.config
        while not self._stopping.is_set():
            batch = outbox.claim(
                worker, config["MAIL_BATCH_SIZE"], config["MAIL_LEASE_SECONDS"]
            )
            if not batch:
                return
            deliver_batch(worker, batch, config, self._stopping)


def init_app(app):
    """Give ``app`` delivery threads, started by its first request in each process."""
    threads = DeliveryThreads(app)
    app.extensions["outbox_delivery"] = threads
    _all_threads.add(threads)
    if app.config["MAIL_DELIVERY"]:
        app.before_request(threads.start)


def wake(app):
    """Wake ``app``'s delivery threads (after a commit that added mail)."""
    app.extensions["outbox_delivery"].wake()


def wake_all():
    """Wake the delivery threads of every app in this process."""
    for threads in list(_all_threads):
        threads.wake()


def start_all():
    """Start the delivery threads of every app configured to deliver."""
    for threads in list(_all_threads):
        if threads.app.config["MAIL_DELIVERY"]:
            threads.start()


@atexit.register
def stop_all():
    """Stop every delivery thread of this process, letting in-flight mail finish."""
    for threads in list(_all_threads):
        threads.stop()
