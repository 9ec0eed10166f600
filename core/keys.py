"""The keys an app makes for itself, and files born readable by their owner.

An app with no configured ``SECRET_KEY`` keeps one in its instance folder,
made once by ``core.prepare`` and read by ``core.config`` at every start.
"""

import os
import secrets
from pathlib import Path


def secret_key_file(app):
    """Where ``app`` keeps the key it makes for itself, in the instance folder."""
    return Path(app.instance_path) / f"{app.name}-secret-key"


def instance_secret(path):
    """Return the key kept in ``path``, creating it once if it does not exist.

    Every process on the machine (each gunicorn worker, the dev server) reads the
    same file, so a session signed by one worker is valid in all of them. The key
    is written to a temporary file, readable by its owner only from the moment it
    exists, and linked into place, so a process starting at the same moment never
    reads a half-written key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        write_private(tmp, secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; its key is the one to use
        finally:
            tmp.unlink()
    return path.read_text().strip()


def write_private(path, text):
    """Create ``path`` with mode 600 (whatever the umask) and write ``text``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
