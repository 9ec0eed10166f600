"""The heartbeat of a process that delivers mail: every third of a lease, it
holds the process's claims one lease more, so a live sender keeps them
through the longest send, and a dead one's run out within a lease (then
another sender takes its messages over)."""

import logging
import threading
import time

from core.mail import claims

log = logging.getLogger(__name__)


class Heartbeat:
    """Renew the claims of the senders named ``prefix...`` on ``app``'s
    outbox, in a thread of its own, until ``stopping`` is set."""

    def __init__(self, app, prefix, stopping):
        self.app, self.prefix, self.stopping = app, prefix, stopping
        self.thread = threading.Thread(
            target=self._run, name="outbox-heartbeat", daemon=True
        )
        self.thread.start()

    def join(self, timeout=None):
        """Wait for the thread to end (once ``stopping`` is set)."""
        self.thread.join(timeout)

    def _run(self):
        lease = self.app.config["MAIL_LEASE_SECONDS"]
        while not self.stopping.wait(lease / 3):
            try:
                with self.app.app_context():
                    claims.renew(self.prefix, time.time() + lease)
            except Exception as error:  # the database away: try next beat
                log.warning("outbox heartbeat %s: %s", self.prefix, error)
