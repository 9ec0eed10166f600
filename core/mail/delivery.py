"""One delivery thread's work: send a claimed batch over one connection, and
record each outcome so that no message goes out twice.

A claim lasts ``MAIL_LEASE_SECONDS`` (60); the process renews its claims
every third of that while it lives (``heartbeat.Heartbeat``), so a
dead sender's messages are taken over within a lease. Each message is
marked sent right after its 250, with the renewal of the thread's other
claims; a message no longer held is skipped. A mark that cannot be written
(the database is locked) is kept and retried, and nothing more is sent, or
claimed, until it lands.
"""

import logging
import time

from core.extensions import mail
from core.mail import claims
from core.mail.failures import (
    breaks_connection,
    describe,
    is_permanent,
    stops_the_batch,
)
from core.mail.message import finished_bytes
from core.mail.retries import after_no_final_reply, fail, retry_later
from core.mail.smtp import NoFinalReply

log = logging.getLogger(__name__)


class StopBatch(Exception):
    """The rest of the batch cannot go out now (``error`` says why)."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


class Deliverer:
    """The delivery work of one thread, named ``worker`` in the claims."""

    def __init__(self, worker, config, stopping):
        self.worker = worker
        self.config = config
        self.stopping = stopping  # set when the process is stopping
        self.lease = config["MAIL_LEASE_SECONDS"]  # a claim's hold, renewed
        self.sent = []  # delivered, not yet recorded as sent
        self.unreleased = []  # claimed, not tried, not yet handed back
        self.held = set()  # the ids claimed and held now...
        self.held_until = 0.0  # ...until this time
        self.delivered = 0  # messages the server accepted from this sender

    def claim(self):
        """Claim a batch of due messages, once the sent marks the database
        refused before are written (else a claim could take over, and send
        again, a message this sender delivered)."""
        if self.sent and self.record() is None:
            return []
        if self.unreleased:
            self.release()
        until = time.time() + self.lease  # no later than the claims' own time
        batch = claims.claim(self.worker, self.config["MAIL_BATCH_SIZE"], self.lease)
        self.held, self.held_until = {row.id for row in batch}, until
        return batch

    def deliver(self, batch):
        """Send a claimed batch over one connection; record every outcome."""
        remaining, before = list(batch), self.delivered
        try:
            with mail.connect() as connection:
                while remaining and not self.stopping.is_set():
                    row = remaining.pop(0)
                    if self.hold(row):
                        self.send(connection, row)
        except StopBatch as stop:
            # After a broken connection the rest were never tried: they go
            # back as they were (no attempt, no other message's error) for
            # a new connection. A refused sender would refuse them all.
            if not breaks_connection(stop.error):
                retry_later(remaining, stop.error, self.worker, self.config)
                remaining = []
        except Exception as error:  # no connection: every message waits
            retry_later(remaining, error, self.worker, self.config)
            remaining = []
        finally:
            if self.sent:  # marks the database refused during the batch
                self.record()
            sent = self.delivered - before
            log.info("%s: %d of a batch of %d sent", self.worker, sent, len(batch))
            # Kept even if the database refuses what comes next (or refused
            # rescheduling them, above): handed back before the next claim.
            self.unreleased += [row.id for row in remaining]
        self.release()

    def release(self):
        """Hand back the claimed messages not tried. Left claimed, they
        would be held for this sender for ever by its process's heartbeat."""
        claims.release(self.unreleased, self.worker)
        self.unreleased = []

    def hold(self, row):
        """Renew the claims if a third of the lease is left (the process's
        heartbeat renews them too); tell whether ``row`` is still held."""
        if self.held_until - time.time() < self.lease / 3:
            if self.record() is None:
                raise StopBatch(RuntimeError("the outbox cannot be written"))
        if row.id not in self.held:
            log.warning("message %s: its claim passed to another sender", row.id)
            return False
        if row.takeovers >= self.config["MAIL_MAX_TAKEOVERS"]:
            fail(
                row.id,
                self.worker,
                f"its delivery was interrupted {row.takeovers} times",
            )
            return False
        return True

    def send(self, connection, row):
        """Send one message; a failure is recorded, or stops the batch."""
        try:
            connection.send_raw(row.from_address, row.recipient, finished_bytes(row))
        except NoFinalReply as error:
            after_no_final_reply(row, error, self.worker, self.config)
            raise StopBatch(error) from error
        except Exception as error:
            if is_permanent(error):
                fail(row.id, self.worker, describe(error))
            else:
                retry_later([row], error, self.worker, self.config)
            if stops_the_batch(error):
                raise StopBatch(error) from error
        else:
            # Marked at once: a death after this doubles no delivered mail.
            # One row's UPDATE: the claims are renewed by hold() and the
            # heartbeat, not after every message (that rewrote the batch).
            self.sent.append(row.id)
            self.delivered += 1
            if self.record(renew=False) is None:
                raise StopBatch(RuntimeError("the outbox cannot be written"))

    def record(self, renew=True):
        """Write the sent marks and renew the claims (unless not ``renew``),
        retrying while the database refuses; return the ids held (None if
        it never took)."""
        deadline = time.monotonic() + self.lease / 2
        pause = 0.05
        while True:
            until = time.time() + self.lease if renew else None
            try:
                marked, held = claims.record(self.worker, self.sent, until)
            except Exception:  # the database is locked or gone: keep the marks
                if time.monotonic() > deadline:
                    log.exception("could not record %s sent messages", len(self.sent))
                    return None
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            for message_id in set(self.sent) - marked:
                log.warning("message %s was sent after its claim passed on", message_id)
            self.sent = []
            if renew:
                self.held, self.held_until = held, until
            return self.held
