"""The bytes of the message an outbox row stands for: built once, when the
row is written (``core.mail.outbox``), and sent as they are."""

import io
import json
import time
from email import policy
from email.generator import BytesGenerator

import flask_mail

# How a finished message is written. Flask-Mail writes with email.policy.SMTP,
# which parses each header again to fold it: three quarters of the 4 ms a
# message cost the request that wrote it, and a List-Unsubscribe longer than
# a line came out as RFC 2047 encoded words, which no mail client reads as
# the link. Flask-Mail's headers are ready as they are (addresses sanitized,
# non-ASCII text encoded): written unfolded up to RFC 5322's 998 characters.
FINISHED = policy.compat32.clone(linesep="\r\n", max_line_length=998)


def build_message(
    message_id, from_address, recipient, subject, body, html, headers=None
):
    """The bytes of an outbox row's message, dated now."""
    message = flask_mail.Message(
        subject=subject,
        recipients=[recipient],
        body=body,
        html=html,
        sender=from_address,
        extra_headers=headers,
        date=time.time(),
    )
    message.msgId = message_id  # the header receivers drop duplicates by
    out = io.BytesIO()
    # Flask-Mail 0.10's MIME message (what its as_bytes writes), our policy.
    mime = message._message()
    BytesGenerator(out, mangle_from_=False, policy=FINISHED).flatten(mime)
    return out.getvalue()


def finished_bytes(row):
    """The bytes to send for an outbox row: kept since it was written, or (a
    row older than that) built now."""
    if row.raw is not None:
        return row.raw
    headers = json.loads(row.headers) if row.headers else None
    fields = (row.subject, row.body, row.html, headers)
    return build_message(row.message_id, row.from_address, row.recipient, *fields)
