"""``python dispatcher.py deliver`` processes beside a benchmark's site."""

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from harness.accounts import ADMIN_PASSWORD_HASH
from harness.local import wait_until
from harness.servers import ROOT, deliver_command


class Deliverers:
    """``count`` ``python dispatcher.py deliver`` processes on ``app``'s
    database, mailing ``peer``: woken by the site's commits, polling every
    ``poll`` seconds besides; ``settings`` are more ``FLASK_`` settings."""

    def __init__(self, app, peer, count, poll, **settings):
        self.folder = Path(tempfile.mkdtemp())
        env = {
            "PATH": os.environ["PATH"],
            "FLASK_INSTANCE_PATH": app.instance_path,  # where wake-ups go
            "FLASK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "FLASK_MAIL_PORT": str(peer.port),
            "FLASK_MAIL_POLL_SECONDS": str(poll),
            "FLASK_ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
            "FRONTEND_SECRET_KEY": "bench-frontend",
            "ADMIN_SECRET_KEY": "bench-admin",
        } | {f"FLASK_{key}": str(value) for key, value in settings.items()}
        self.processes = []
        for n in range(count):
            with open(self.folder / f"{n}.log", "wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        deliver_command(), cwd=ROOT, env=env, stdout=log, stderr=log
                    )
                )
        for n in range(count):
            wait_until(lambda n=n: self._ready(n), timeout=60, message="deliverers")

    def _ready(self, n):
        if self.processes[n].poll() is not None:
            raise RuntimeError((self.folder / f"{n}.log").read_text())
        return "Delivering the outbox" in (self.folder / f"{n}.log").read_text()

    def kill(self, n):
        """SIGKILL process ``n``: no clean stop, its claims left behind."""
        self.processes[n].kill()
        self.processes[n].wait()

    def stop(self):
        """Stop each process as an operator would (SIGTERM)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=60)
