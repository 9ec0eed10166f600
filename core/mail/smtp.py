"""Flask-Mail with timeouts.

Flask-Mail opens ``smtplib.SMTP(server, port)`` with no timeout at all, so a
server that accepts and then says nothing hangs the sending thread. Here
the connection and each reply before DATA get ``MAIL_TIMEOUT``, and DATA
(its 354 reply, the body and the final reply) gets ``MAIL_DATA_TIMEOUT``,
each reply as a whole: RFC 5321 (4.5.3.2.6) gives a server 10 minutes for
the final one, and a client that gives up sooner sends the message again
when the server had in fact accepted it.
"""

import functools
import io
import smtplib
import time

import flask_mail
from flask import current_app


class NoFinalReply(smtplib.SMTPServerDisconnected):
    """The body was sent and no final reply came (a timeout, a dropped
    connection): the server may have accepted the message."""


END_OF_BODY = b"\r\n.\r\n"


class DeadlineReader(io.RawIOBase):
    """The socket's bytes, as smtplib reads its replies: while ``deadline``
    is set, each read waits only for what is left of it, so a reply
    trickled a byte at a time cannot outlast its timeout."""

    def __init__(self, sock):
        super().__init__()
        self.sock, self.deadline = sock, None

    def readable(self):
        """It is read from."""
        return True

    def readinto(self, buffer):
        """Read what the socket has, within what is left of the deadline."""
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the whole reply took longer than its timeout")
        timeout = self.sock.gettimeout()
        self.sock.settimeout(min(left, timeout) if timeout else left)
        try:
            return self.sock.recv_into(buffer)
        finally:
            self.sock.settimeout(timeout)


class FinalReplyTimeout:
    """Wait ``data_timeout`` seconds (not the socket's timeout) during DATA,
    each reply as a whole, and tell a reply that never came after the body
    (``NoFinalReply``)."""

    data_timeout = None
    body_sent = False
    reader = None

    def getreply(self):
        """Read one reply, all of it within the socket's timeout (a server
        sending a byte every few seconds reset a timeout per read)."""
        if self.file is None:
            self.reader = DeadlineReader(self.sock)
            self.file = io.BufferedReader(self.reader)
        timeout = self.sock.gettimeout() if self.sock is not None else None
        self.reader.deadline = None if timeout is None else time.monotonic() + timeout
        try:
            return super().getreply()
        finally:
            self.reader.deadline = None

    def send(self, s):
        """Send ``s``, noting whether it ended a message body."""
        self.body_sent = isinstance(s, bytes) and s.endswith(END_OF_BODY)
        return super().send(s)

    def data(self, msg):
        """Send the message body and wait for the server's final reply."""
        self.sock.settimeout(self.data_timeout)
        self.body_sent = False
        try:
            return super().data(msg)
        except smtplib.SMTPServerDisconnected as error:
            if self.body_sent:
                raise NoFinalReply(
                    f"no reply after the message body ({error})"
                ) from error
            raise
        finally:
            if self.sock is not None:  # a failure closes the connection
                self.sock.settimeout(self.timeout)


class SMTP(FinalReplyTimeout, smtplib.SMTP):
    """smtplib.SMTP with its own timeout for the final reply."""


class SMTP_SSL(FinalReplyTimeout, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL with its own timeout for the final reply."""


class Connection(flask_mail.Connection):
    """A Flask-Mail connection with the two timeouts."""

    def configure_host(self):
        """Connect, say EHLO, STARTTLS and log in as Flask-Mail does.

        A failure at any step closes the socket before it is raised.
        """
        config = current_app.config
        smtp_class = SMTP_SSL if self.mail.use_ssl else SMTP
        host = smtp_class(
            self.mail.server, self.mail.port, timeout=config["MAIL_TIMEOUT"]
        )
        host.data_timeout = config["MAIL_DATA_TIMEOUT"]
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def __exit__(self, exc_type, exc_value, tb):
        """Say QUIT if the connection still stands, else just close it.

        After a dropped connection Flask-Mail's ``quit()`` raised "please
        run connect() first", which replaced the real error, and the rest of
        the batch was charged with it.
        """
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()

    def send_raw(self, from_address, recipient, raw):
        """Send finished message bytes to one recipient."""
        if self.host is not None:  # None when MAIL_SUPPRESS_SEND
            self.host.sendmail(
                envelope_address(from_address), [envelope_address(recipient)], raw
            )


# Flask-Mail's address parsing, once per address: every message has the same
# sender, and parsing it again took 7% of a delivery thread's time.
envelope_address = functools.lru_cache(maxsize=1024)(flask_mail.sanitize_address)


class Mail(flask_mail.Mail):
    """Flask-Mail whose ``connect()`` returns a connection with the timeouts."""

    def connect(self):
        """Open one SMTP connection, to send several messages over."""
        return Connection(current_app.extensions["mail"])
