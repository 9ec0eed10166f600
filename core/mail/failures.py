"""What an SMTP failure means for a message: retry it, or keep it as failed."""

import smtplib

import flask_mail


def is_permanent(error):
    """Tell whether retrying cannot help: a 5xx reply or a malformed message.

    4xx replies, refused or dropped connections and timeouts are temporary.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
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


def describe(error):
    """A one-line account of ``error`` for the outbox page."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # Flask-Mail/smtplib report a timeout while connecting this way too.
        return f"SMTPServerDisconnected: {error} (timed out or closed)"
    return f"{type(error).__name__}: {error}"


def retry_delay(attempts, base, ceiling):
    """Seconds to wait after the ``attempts``-th failure: doubling, capped."""
    return min(base * 2 ** (attempts - 1), ceiling)
