"""The outbox: a message is written here, in the caller's transaction, with
the change it reports.

Then it is claimed by one delivery thread of one process, held while that
thread works through its batch, and marked sent, due again later, or failed
(``claims``); the admin and the periodic jobs look after it
(``housekeeping``).
"""

import json
import time
from email.utils import make_msgid, parseaddr

from flask import current_app, has_app_context
from sqlalchemy import event

from core.extensions import db
from core.mail import wakeup
from core.mail.message import build_message
from core.mail.models import OutboxMessage as Message

QUEUED = "outbox.queued"  # in a session's info: its transaction wrote mail
WAKE = "outbox.wake"  # in app.extensions: what wakes this process's delivery


def message_id(from_address):
    """A new Message-ID at the From address's domain (never the Host header)."""
    domain = parseaddr(from_address)[1].rpartition("@")[2]
    return make_msgid(domain=domain or "localhost")


def enqueue(from_address, recipient, subject, body, html, headers=None):
    """Add a message, due now, in the session's open transaction; return its id.

    ``headers`` are extra headers (a dict), such as List-Unsubscribe. The
    finished message is built here, once: delivery only sends its bytes, and
    every retry sends exactly the same ones.
    """
    now = time.time()
    identity = message_id(from_address)
    fields = (from_address, recipient, subject, body, html, headers)
    message = Message(
        message_id=identity,
        from_address=from_address,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        headers=json.dumps(headers) if headers else None,
        raw=build_message(identity, *fields),
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.flush()  # assigns the id
    mail_is_due()
    return message.id


def mail_is_due():
    """Wake delivery when the session's transaction commits (mail was written
    or made due in it), here and in other processes (``wakeup``); a
    rollback forgets it."""
    db.session.info[QUEUED] = True
    wakeup.notify_in_transaction()


def _wake_after_commit(session):
    wakeup.forget_transaction(session)
    if session.info.pop(QUEUED, False) and has_app_context():
        wake = current_app.extensions.get(WAKE)
        if wake is not None:
            wake()
        wakeup.wake_sqlite_listeners(current_app)


def _forget_after_rollback(session, previous_transaction):
    wakeup.forget_transaction(session)
    session.info.pop(QUEUED, None)


def init_app(app):
    """Wake delivery after each commit that wrote mail (registered once, on
    the sessions of the one ``db``)."""
    sessions = db.session.session_factory
    if not event.contains(sessions, "after_commit", _wake_after_commit):
        event.listen(sessions, "after_commit", _wake_after_commit)
        event.listen(sessions, "after_soft_rollback", _forget_after_rollback)
