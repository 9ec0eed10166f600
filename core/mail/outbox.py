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

from core.extensions import db
from core.mail.models import OutboxMessage as Message
from core.mail.smtp import build_message


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
        raw=build_message(identity, *fields).as_bytes(),
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.flush()  # assigns the id
    return message.id
