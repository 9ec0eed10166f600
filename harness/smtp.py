"""A real SMTP server (aiosmtpd) on a free loopback port, told how to answer."""

import asyncio
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from harness.local import free_port


class Recorder:
    """An aiosmtpd handler that keeps what it accepts.

    ``replies`` queues answers for the next DATA commands ("451 ..."); when it
    is empty the answer is 250. While ``open`` is cleared, DATA waits.
    """

    def __init__(self):
        self.messages = []
        self.replies = []
        self.open = threading.Event()
        self.open.set()
        self.waiting = 0  # DATA commands held right now

    async def handle_DATA(self, server, session, envelope):
        """Answer a message as told, keeping it if the answer is 250."""
        self.waiting += 1
        while not self.open.is_set():
            await asyncio.sleep(0.01)
        self.waiting -= 1
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(parsed)
        return reply


class SMTPServer:
    """Start, stop and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        """Listen on 127.0.0.1:port."""
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port
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
