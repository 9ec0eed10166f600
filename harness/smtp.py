"""A real SMTP server (aiosmtpd) on a free loopback port, told how to answer."""

import asyncio
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from harness.local import free_port


class Recorder:
    """An aiosmtpd handler that keeps what it accepts.

    ``replies`` queues answers for the next DATA commands ("451 ...";
    "DROP": close the connection with no answer; "TRICKLE 0.3": "250 OK", a
    byte every 0.3 s); when it is empty the answer is 250. While ``open`` is
    cleared, DATA waits; with ``data_delay`` set, every final reply to DATA
    comes that many seconds late. ``sender_reply`` (say "553 ...") refuses
    every MAIL FROM.
    """

    def __init__(self):
        self.messages = []
        self.replies = []
        self.open = threading.Event()
        self.open.set()
        self.waiting = 0  # DATA commands held right now
        self.data_delay = 0.0
        self.sender_reply = None
        self.parse = True  # False: count messages, keep none (benchmarks)
        self.counted = threading.Condition()  # notified at each message counted
        self.counted_at = []  # time.monotonic() of each message counted
        self.bodies = 0  # message bodies received, answered or not

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        """Accept the sender, unless told to refuse every one."""
        if self.sender_reply:
            return self.sender_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Answer a message as told, keeping it if the answer is 250."""
        self.bodies += 1
        self.waiting += 1
        while not self.open.is_set():
            await asyncio.sleep(0.01)
        await asyncio.sleep(self.data_delay)
        self.waiting -= 1
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply == "DROP":
            server.transport.close()
            return "421 dropped"  # never reaches the client
        if reply.startswith("TRICKLE"):
            step = float(reply.split()[1])
            for byte in b"250 OK":
                server._writer.write(bytes([byte]))
                await asyncio.sleep(step)
            reply = ""  # aiosmtpd ends the line: "250 OK\r\n" in all
        if reply.startswith("250") or reply == "":
            with self.counted:
                self.counted_at.append(time.monotonic())
                self.counted.notify_all()
            if self.parse:
                parsed = message_from_bytes(envelope.content, policy=policy.default)
                self.messages.append(parsed)
        return reply

    @property
    def count(self):
        """How many messages were accepted."""
        return len(self.counted_at)

    def wait_for(self, count, timeout):
        """The ``time.monotonic()`` at which the ``count``-th message was
        accepted, waiting up to ``timeout`` seconds for it; None if not."""
        with self.counted:
            if self.counted.wait_for(lambda: self.count >= count, timeout):
                return self.counted_at[count - 1]
        return None


class Logins:
    """An aiosmtpd authenticator: one username and password, while allowed."""

    def __init__(self, username, password):
        self.username, self.password = username.encode(), password.encode()
        self.allowed = threading.Event()
        self.allowed.set()
        self.tried = 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        """Accept the configured login (535 for any other, or while refusing)."""
        self.tried += 1
        good = (auth_data.login, auth_data.password) == (self.username, self.password)
        # handled=False: aiosmtpd answers 535 itself (True means "I replied").
        return AuthResult(success=good and self.allowed.is_set(), handled=False)


class SMTPServer:
    """Start, stop and start again on the same port; optionally with AUTH."""

    def __init__(self, logins=None):
        self.port = free_port()
        self.recorder = Recorder()
        self.logins = logins
        self.controller = None

    def start(self):
        """Listen on 127.0.0.1:port."""
        auth = {}
        if self.logins is not None:  # plain AUTH over loopback, without TLS
            auth = {
                "authenticator": self.logins,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, **auth
        )
        self.controller.start()

    def stop(self):
        """Stop listening (connections are then refused)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        """The messages accepted so far."""
        return self.recorder.messages
