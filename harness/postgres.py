"""A throwaway PostgreSQL server on 127.0.0.1, in a temporary folder of its own.

Debian's ``postgresql`` package provides the programs. PostgreSQL refuses to
run as root, so as root the server runs as the ``postgres`` user. It trusts
local connections and keeps nothing: it is for tests and benchmarks only.
"""

import fcntl
import glob
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from harness.local import free_port

# Durability off: a test server loses nothing that matters on a crash.
SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_bindir():
    """The folder of Debian's PostgreSQL programs (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """Start, use and stop one PostgreSQL cluster."""

    def __init__(self, bindir, folder=None, port=None, name_prefix="site"):
        self.bindir = Path(bindir)
        self.folder = None if folder is None else Path(folder)
        self.port = port
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.name_prefix = name_prefix  # of the databases this object creates
        self._count = 0

    def _run(self, program, *args):
        command = [*self.as_user, str(self.bindir / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        """Make a cluster in a new temporary folder and start it on a free port."""
        self.folder = Path(tempfile.mkdtemp(prefix="site-postgres-"))
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", "site", "--auth=trust", "-E", "UTF8")
        self.port = free_port()
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            f"-c max_connections=500 {SETTINGS}"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(data), "-l", log, "-o", options, "-w", "start")

    def stop(self):
        """Stop the server at once and remove its folder."""
        if self.folder is None:
            return
        data = str(self.folder / "data")
        self._run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def url(self, database="postgres"):
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://site@127.0.0.1:{self.port}/{database}"

    def connect(self, database="postgres"):
        """A psycopg connection to ``database``, each statement its own
        transaction."""
        conninfo = f"host=127.0.0.1 port={self.port} user=site dbname={database}"
        return psycopg.connect(conninfo, autocommit=True)

    def execute(self, sql):
        """Run one statement outside a transaction (CREATE or DROP DATABASE)."""
        with self.connect() as connection:
            connection.execute(sql)

    def create_database(self, template=None):
        """Make a new, empty database (or a copy of ``template``); return its name."""
        self._count += 1
        name = f"{self.name_prefix}_{self._count}"
        # A copy of the files, not of the template through the WAL (the
        # default since PostgreSQL 15): 40 ms a database instead of 100-300.
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.execute(f"CREATE DATABASE {name}{copy}")
        return name

    def drop_database(self, name):
        """Drop ``name``, closing any connection still open to it."""
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def shared(state_folder, bindir, prepare, name_prefix):
    """The one server of the processes that share ``state_folder`` (the test
    processes of one run): started and ``prepare``d by the first to ask,
    found by the others; each names its databases with its ``name_prefix``.
    ``stop_shared`` stops it."""
    state = Path(state_folder) / "postgres.json"
    with open(Path(state_folder) / "postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait while one starts it
        if state.exists():
            found = json.loads(state.read_text())
            server = PostgresServer(found["bindir"], found["folder"], found["port"])
            server.template = found["template"]
        else:
            server = PostgresServer(bindir)
            server.start()
            prepare(server)
            found = {"bindir": str(bindir), "folder": str(server.folder)}
            found |= {"port": server.port, "template": server.template}
            state.write_text(json.dumps(found))
    server.name_prefix = name_prefix
    return server


def stop_shared(state_folder):
    """Stop the server ``shared`` started in ``state_folder``, if any."""
    state = Path(state_folder) / "postgres.json"
    if state.exists():
        found = json.loads(state.read_text())
        PostgresServer(found["bindir"], found["folder"], found["port"]).stop()
        state.unlink()
