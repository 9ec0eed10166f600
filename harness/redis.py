"""A throwaway Redis server on 127.0.0.1, in a temporary folder of its own.

Debian's ``redis-server`` package provides the program; nothing is saved to
disk. For the tests of the rate limits kept in Redis.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import redis

from harness.local import free_port, wait_until


def find_server():
    """The path of ``redis-server``, or None."""
    return shutil.which("redis-server")


class RedisServer:
    """Start, stop and start again one Redis server, always on one port."""

    def __init__(self, program):
        self.program = program
        self.folder = Path(tempfile.mkdtemp(prefix="site-redis-"))
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        """The URL Flask-Limiter's storage takes."""
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        """Start the server; return once it answers PING."""
        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: _answers(client), message="redis-server to answer")

    def stop(self):
        """Stop the server (what it held is gone)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self):
        """Stop, and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _answers(client):
    """Tell whether the server behind ``client`` answers PING."""
    try:
        return client.ping()
    except redis.ConnectionError:
        return False
