"""What an SMTP failure means: for this message, or for every message.

Only the recipient's own permanent refusal (a 5xx reply to RCPT or to DATA)
or a malformed message fails a message for good. Anything about the
connection (refused, timed out, dropped, a 554 greeting, 530 "STARTTLS
first", 535 for our login, our sender address refused) is the same for every
message: they all wait and are tried again, and the admin sees the reply.
"""

import smtplib

import flask_mail


def is_permanent(error):
    """Tell whether this message can never be delivered as it is."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return isinstance(error, flask_mail.BadHeaderError | AssertionError)


def breaks_connection(error):
    """Tell whether the connection is unusable after ``error``.

    A reply (4xx, 5xx) leaves the session usable for the next message; a
    dropped connection or a socket error does not. (Every SMTPException is
    an OSError, hence the order of the checks.)
    """
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def stops_the_batch(error):
    """Tell whether the rest of the batch would fail the same way now.

    The connection broke, or the server refuses our sender address, which it
    would refuse for every message.
    """
    return breaks_connection(error) or isinstance(error, smtplib.SMTPSenderRefused)


def describe(error):
    """A one-line account of ``error`` for the outbox page."""
    if type(error) is smtplib.SMTPServerDisconnected:  # not NoFinalReply
        return f"SMTPServerDisconnected: {error} (timed out or closed)"
    return f"{type(error).__name__}: {error}"
