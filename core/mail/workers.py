"""The delivery threads: each app that sends mail delivers its outbox here.

Each such app has one ``DeliveryThreads`` per process, with a fixed number of
threads (``MAIL_DELIVERY_THREADS``) whatever the load. A thread sleeps until
it is woken (right after a commit), the next message comes due (a retry, or
a dead sender's claim running out) or the poll interval passes; then it
claims due messages and delivers them (``delivery.Deliverer``). Between
deliveries the threads also run the app's periodic jobs (``every``): pruning
old mail here, digests in the frontend.
"""

import atexit
import logging
import os
import socket
import threading
import time
import weakref

from sqlalchemy.exc import OperationalError

from core.mail import claims, housekeeping
from core.mail.delivery import Deliverer
from core.mail.jobs import Jobs

log = logging.getLogger(__name__)
_all_threads = weakref.WeakSet()  # every DeliveryThreads of this process
PRUNE_EVERY = 3600.0  # seconds between two prunings of sent mail, per process


class DeliveryThreads:
    """The delivery threads of one app in this process."""

    def __init__(self, app):
        # The real app object, not the current_app proxy: the threads have no
        # context of their own until they push one.
        self.app = app
        self._lock = threading.Lock()  # start and stop, one at a time
        self._signal = threading.Condition()
        self._generation = 0  # counts wake-ups, so that none is missed
        self._stopping = threading.Event()
        self._stopped = False  # stop() is final: no start() after it
        self._threads = []
        self._pid = None
        self.jobs = Jobs()  # run in a delivery thread's app context

    def start(self):
        """Start the threads, once per process (again in a forked child)."""
        if self._pid == os.getpid() or self._stopped:
            return  # running, or stopped for good: the common cases
        with self._lock:
            if self._pid == os.getpid() or self._stopped:
                return
            self._pid = os.getpid()
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
        with self._signal:
            self._generation += 1
            self._signal.notify_all()

    def stop(self, timeout=None):
        """Let each thread finish its message, hand back the rest, and end.

        Final: a ``start()`` after it (a request arriving during SIGTERM)
        starts nothing.
        """
        with self._lock:
            self._stopped = True
            self._stopping.set()
        with self._signal:
            self._signal.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    def _run(self):
        worker = (
            f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"
        )
        deliverer = Deliverer(worker, self.app.config, self._stopping)
        while not self._stopping.is_set():
            seen, due = self._generation, None
            try:
                with self.app.app_context():  # this thread's own app context
                    self._drain(deliverer)
                    self.jobs.run_due()
                    due = claims.next_due()
            except OperationalError as error:  # the database busy, or away
                log.warning(
                    "outbox delivery %s: %s; will try again", worker, error.orig
                )
            except Exception:
                log.exception("outbox delivery %s failed; will poll again", worker)
            self._sleep(seen, due)

    def _drain(self, deliverer):
        """Claim and deliver due messages until none is left."""
        while not self._stopping.is_set():
            batch = deliverer.claim()
            if not batch:
                return
            deliverer.deliver(batch)

    def _sleep(self, seen, due):
        """Wait for a wake-up, the time ``due``, the poll interval, or stop."""
        timeout = self.app.config["MAIL_POLL_SECONDS"]
        if due is not None:
            timeout = min(timeout, max(due - time.time(), 0.0))
        with self._signal:
            if self._generation == seen and not self._stopping.is_set():
                self._signal.wait(timeout)


def init_app(app):
    """Give ``app`` delivery threads, started by its first request in each process."""
    threads = DeliveryThreads(app)
    threads.jobs.every(PRUNE_EVERY, housekeeping.prune_sent_mail)
    app.extensions["outbox_delivery"] = threads
    _all_threads.add(threads)
    if app.config["MAIL_DELIVERY"]:
        app.before_request(threads.start)


def every(app, seconds, job):
    """Run ``job()`` every ``seconds`` in one of ``app``'s delivery threads."""
    app.extensions["outbox_delivery"].jobs.every(seconds, job)


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
