"""The development SMTP server: every message it receives lands in a Maildir."""

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class DevMailbox(Mailbox):
    """Keep each message in the Maildir, and say so on the console."""

    def __init__(self, mail_dir, echo):
        super().__init__(mail_dir)
        self.echo = echo

    def handle_message(self, message):
        """Store ``message`` (one file in ``<mail_dir>/new/``) and report it."""
        key = self.mailbox.add(message)
        self.echo(f" * Mail to {message['To']}: {message['Subject']!r} ({key})")


def start(host, port, mail_dir, echo=print):
    """Start the server in a thread of its own; return its controller."""
    controller = Controller(DevMailbox(mail_dir, echo), hostname=host, port=port)
    controller.start()
    return controller
