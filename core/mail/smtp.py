"""Flask-Mail with a timeout, and the message an outbox row stands for."""

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
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body,
        html=row.html,
        sender=row.from_address,
    )
    message.msgId = row.message_id  # the same header on every retry
    return message
