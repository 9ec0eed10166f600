"""Deliver claimed outbox messages over one SMTP connection; record each outcome."""

import logging

from core.extensions import mail
from core.mail import outbox
from core.mail.failures import breaks_connection, describe, is_permanent, retry_delay
from core.mail.smtp import build_message

log = logging.getLogger(__name__)


def deliver_batch(worker, batch, config, stopping):
    """Send a batch claimed by ``worker`` over one connection.

    Messages not tried (``stopping`` was set, or the connection broke) are
    handed back; if no connection could be opened, each counts as a failure.
    """
    remaining, connected = list(batch), False
    try:
        with mail.connect() as connection:
            connected = True
            while remaining and not stopping.is_set():
                send_one(worker, connection, remaining.pop(0), config)
    except Exception as error:
        if not connected:  # no message could go out: each one failed
            for row in remaining:
                record_failure(worker, row, error, config)
            remaining = []
    for row in remaining:
        outbox.release(row.id, worker)


def send_one(worker, connection, row, config):
    """Send one message and record the outcome; re-raise what breaks the link."""
    try:
        connection.send(build_message(row))
    except Exception as error:
        record_failure(worker, row, error, config)
        if breaks_connection(error):
            raise
    else:
        outbox.mark_sent(row.id, worker)


def record_failure(worker, row, error, config):
    """Keep a permanent failure; schedule a temporary one again."""
    attempts = row.attempts + 1
    if is_permanent(error) or attempts >= config["MAIL_MAX_ATTEMPTS"]:
        outbox.mark_failed(row.id, worker, describe(error))
        log.warning("message %s failed for good: %s", row.id, describe(error))
        return
    base, ceiling = config["MAIL_RETRY_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
    delay = retry_delay(attempts, base, ceiling)
    outbox.mark_retry(row.id, worker, describe(error), delay)
