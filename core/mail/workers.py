"""The delivery threads: each app that sends mail delivers its outbox here.

Each such app has one ``DeliveryThreads`` (``app.extensions[DELIVERY]``),
started by the site's services in each process that delivers, with a fixed
number of threads (``MAIL_DELIVERY_THREADS``) whatever the load. A thread
sleeps until it is woken (a commit that wrote mail, see ``core.mail.outbox``),
the next message comes due (a retry, or a dead sender's claim running out)
or the poll interval passes; then it claims due messages and delivers them
(``delivery.Deliverer``).
"""

import logging
import os
import secrets
import socket
import threading
import time

from sqlalchemy.exc import OperationalError

from core.mail import claims
from core.mail.delivery import Deliverer
from core.mail.heartbeat import Heartbeat
from core.mail.outbox import WAKE

log = logging.getLogger(__name__)
DELIVERY = "outbox_delivery"  # an app's DeliveryThreads, in app.extensions


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
        self._claiming = threading.Lock()  # one claim at a time (_drain)
        self._stopped = False  # stop() is final: no start() after it
        self._threads = []
        self._pid = None
        self._senders = None  # "host:pid:token:", the prefix of each sender's name
        self._heartbeat = None  # renews this process's claims while it lives

    def start(self):
        """Start the threads, once per process (again in a forked child)."""
        if self._pid == os.getpid() or self._stopped:
            return  # running, or stopped for good: the common cases
        with self._lock:
            if self._pid == os.getpid() or self._stopped:
                return
            self._pid = os.getpid()
            # A sender's name must be new at each start: a restarted process
            # often gets the dead one's pid (pid 1 in a container), and would
            # renew the dead one's claims as its own.
            token = secrets.token_hex(4)
            self._senders = f"{socket.gethostname()}:{self._pid}:{token}:"
            count = self.app.config["MAIL_DELIVERY_THREADS"]
            self._threads = [
                threading.Thread(target=self._run, name=f"outbox-{n}", daemon=True)
                for n in range(count)
            ]
            for thread in self._threads:
                thread.start()
            self._heartbeat = Heartbeat(self.app, self._senders, self._stopping)

    @property
    def alive(self):
        """The delivery threads alive now."""
        return [thread for thread in self._threads if thread.is_alive()]

    def wake(self):
        """Tell the threads that messages are due now: one wakes, and wakes
        the next if it finds a full batch (``_drain``). Woken all at once,
        eight threads raced for one message, and the GIL made each claim
        wait for the others' (50 ms on PostgreSQL instead of 3)."""
        with self._signal:
            self._generation += 1
            self._signal.notify()

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
        if self._heartbeat is not None:
            self._heartbeat.join(timeout)

    def _run(self):
        thread = threading.current_thread().name
        worker = f"{self._senders}{thread}"
        deliverer = Deliverer(worker, self.app.config, self._stopping)
        while not self._stopping.is_set():
            seen, due = self._generation, None
            try:
                with self.app.app_context():  # this thread's own app context
                    self._drain(deliverer)
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
        while True:
            # One thread claims at a time: the others, polled or woken with
            # it, then find the messages taken and write nothing. Each
            # claiming for itself, they took SQLite's write lock 129 times
            # for 50 messages (83 now), and a page waited for them (5a).
            with self._claiming:
                if self._stopping.is_set():  # perhaps while waiting for its turn
                    return
                batch = deliverer.claim()
            if not batch:
                return
            if len(batch) == self.app.config["MAIL_BATCH_SIZE"]:
                self.wake()  # there may be more: another thread takes them
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
    """Give ``app`` its delivery threads (the site's services start them)."""
    threads = app.extensions[DELIVERY] = DeliveryThreads(app)
    app.extensions.setdefault(WAKE, threads.wake)  # the site's wakes them all
