"""Waking the deliverers of other processes the moment mail is written.

A commit that wrote mail wakes its own process's delivery threads directly
(``core.mail.outbox``). Other processes (``python dispatcher.py deliver``,
other machines) would wait for their poll; instead:

- on PostgreSQL the writing transaction sends ``NOTIFY outbox`` (delivered
  at its commit, dropped at its rollback), and each delivering process
  ``LISTEN``s on a connection of its own;
- on SQLite (one machine) each delivering process binds a datagram socket
  in ``<instance>/wake/``, and a writer sends one byte to each after its
  commit.

The poll stays as the fallback: a wake-up lost to a restart costs a poll.
"""

import logging
import os
import secrets
import socket
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.extensions import db

log = logging.getLogger(__name__)
CHANNEL = "outbox"
NOTIFIED = "outbox.notified"  # in a session's info: NOTIFY sent in it


def notify_in_transaction():
    """On PostgreSQL, send ``NOTIFY outbox`` in the session's transaction
    (once per transaction)."""
    session = db.session()
    if session.info.get(NOTIFIED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))
        session.info[NOTIFIED] = True


def forget_transaction(session):
    """The transaction ended: the next one notifies again."""
    session.info.pop(NOTIFIED, None)


def wake_sqlite_listeners(app):
    """On SQLite, send a byte to every listening process of ``app``'s
    instance folder; a socket whose process is gone is removed."""
    folder = Path(app.instance_path) / "wake"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:") and folder.is_dir():
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for path in folder.glob("*.sock"):
                try:
                    sender.sendto(b"!", str(path))
                except BlockingIOError:
                    pass  # its queue is full: it is awake already
                except (ConnectionRefusedError, FileNotFoundError):
                    path.unlink(missing_ok=True)  # nobody reads it any more


class Listener(threading.Thread):
    """A thread that calls ``wake()`` when another process wrote mail."""

    def __init__(self, app, wake):
        super().__init__(name="outbox-listener", daemon=True)
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.folder = Path(app.instance_path) / "wake"
        self.wake = wake
        self.stopping = threading.Event()

    def run(self):
        """Listen until stopped; after an error, try again a little later."""
        while not self.stopping.is_set():
            try:
                if self.url.startswith("sqlite:"):
                    self._listen_on_socket()
                else:
                    self._listen_to_postgres()
            except Exception as error:  # the database away: the poll covers
                log.warning("outbox listener: %s; listening again soon", error)
                self.stopping.wait(2.0)

    def stop(self):
        """Stop listening (within a second)."""
        self.stopping.set()

    def _listen_to_postgres(self):
        # Imported here: a site on SQLite never needs it (0.1 s at every start).
        import psycopg

        url = make_url(self.url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            while not self.stopping.is_set():
                for _ in connection.notifies(timeout=1.0, stop_after=1):
                    self.wake()

    def _listen_on_socket(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(path))
            listener.settimeout(1.0)
            try:
                while not self.stopping.is_set():
                    try:
                        listener.recv(64)
                    except TimeoutError:
                        continue
                    self.wake()
            finally:
                path.unlink(missing_ok=True)
