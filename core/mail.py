"""Flask-Mail with a timeout, and what an SMTP failure means for a message."""

import smtplib

import flask_mail
from flask import current_app


class Connection(flask_mail.Connection):
    """A Flask-Mail connection whose socket gives up after ``MAIL_TIMEOUT``."""

    def configure_host(self):
        """Connect as Flask-Mail does, but with a timeout on every socket call.

        Flask-Mail opens ``smtplib.SMTP(server, port)`` without one, so a server
        that accepts the connection and then says nothing would hang the
        sending thread for as long as the operating system lets it.
        """
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class Mail(flask_mail.Mail):
    """Flask-Mail whose ``connect()`` returns a connection with a timeout."""

    def connect(self):
        """Open one SMTP connection, to send several messages over."""
        return Connection(current_app.extensions["mail"])


def build_message(row):
    """The Flask-Mail message for an outbox row, with its stable Message-ID."""
    message = flask_mail.Message(
        subject=row["subject"],
        recipients=[row["recipient"]],
        body=row["body"],
        html=row["html"],
        sender=row["sender"],
    )
    message.msgId = row["message_id"]  # the same header on every retry
    return message


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
