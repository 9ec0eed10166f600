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

Each process ignores its own wake-ups: a second wake would rouse a second
delivery thread for the same mail.

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
    (once per transaction), naming this process (``process_name``)."""
    session = db.session()
    if session.info.get(NOTIFIED):
        return
    if session.get_bind().dialect.name == "postgresql":
        notify = text("SELECT pg_notify(:channel, :sender)")
        session.execute(notify, {"channel": CHANNEL, "sender": process_name()})
        session.info[NOTIFIED] = True


def process_name():
    """This process, as its notifications name it: its host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def forget_transaction(session):
    """The transaction ended: the next one notifies again."""
    session.info.pop(NOTIFIED, None)


def socket_prefix():
    """How the names of this process's wake-up sockets begin."""
    return f"{os.getpid()}-"


def wake_sqlite_listeners(app):
    """On SQLite, send a byte to every other listening process of ``app``'s
    instance folder; a socket whose process is gone is removed."""
    folder = Path(app.instance_path) / "wake"
    # This process's own threads were woken directly (core.mail.outbox); its
    # listener would wake a second thread for the same mail.
    own = socket_prefix()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:") and folder.is_dir():
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for path in folder.glob("*.sock"):
                if path.name.startswith(own):
                    continue
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
        me = process_name()  # its own threads were woken directly
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            while not self.stopping.is_set():
                for notify in connection.notifies(timeout=1.0, stop_after=1):
                    if notify.payload != me:
                        self.wake()

    def _listen_on_socket(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{socket_prefix()}{secrets.token_hex(4)}.sock"
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
