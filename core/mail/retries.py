"""What becomes of a message that was not delivered: it is tried again after
a doubling delay until its window (``MAIL_GIVE_UP_HOURS``) is over, then it
fails for good with the last reason, which the outbox page shows."""

import logging
import time

from core.mail import claims
from core.mail.failures import describe
from core.mail.smtp import NoFinalReply

log = logging.getLogger(__name__)


def retry_delay(attempts, base, ceiling):
    """Seconds to wait after the ``attempts``-th failure: doubling, capped."""
    return min(base * 2 ** (attempts - 1), ceiling)


def fail(message_id, worker, reason):
    """Fail the message for good (``worker`` must still hold it)."""
    claims.mark_failed(message_id, worker, reason)
    log.warning("message %s failed for good: %s", message_id, reason)


def retry_later(rows, error, worker, config):
    """Schedule each message again, or fail it once its window is over."""
    now, hours = time.time(), config["MAIL_GIVE_UP_HOURS"]
    for row in rows:
        if now - (row.retried_at or row.created_at) > hours * 3600:
            fail(row.id, worker, f"gave up after {hours} h: {describe(error)}")
            continue
        delay = retry_delay(
            row.attempts + 1,
            config["MAIL_RETRY_SECONDS"],
            config["MAIL_RETRY_MAX_SECONDS"],
        )
        claims.mark_retry(row.id, worker, describe(error), now + delay)


def after_no_final_reply(row, error, worker, config):
    """No reply after the body: the server may have taken the message. Try
    once more; a second time, fail it with that reason rather than send a
    copy per attempt."""
    if row.last_error and row.last_error.startswith(NoFinalReply.__name__):
        reason = (
            f"{describe(error)}, twice: it may have been delivered, so it is "
            "not sent again (retry it by hand if it was not)"
        )
        fail(row.id, worker, reason)
    else:
        retry_later([row], error, worker, config)
