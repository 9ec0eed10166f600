"""Real server processes on free loopback ports, and an HTTP client for them."""

import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from harness.accounts import CHEAP_HASH, csrf_token
from harness.local import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the servers' commands, beside this Python
SITE = "dispatcher:application"


@contextmanager
def running(args, env, log_path, port):
    """Run ``args`` from the repository root until the port answers HTTP."""
    # Each server gets its own mail port: nothing here uses the default 8025.
    defaults = {
        "PYTHONUNBUFFERED": "1",
        "FLASK_MAIL_PORT": str(free_port()),
        "FLASK_PASSWORD_HASH_METHOD": CHEAP_HASH,
    }
    full_env = {**os.environ, **defaults, **env}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _answers(base, process, log_path), message=f"{args} to answer"
        )
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(base, process, log_path):
    """Tell whether the server answers; fail at once if it has exited."""
    if process.poll() is not None:
        raise AssertionError(f"server exited:\n{Path(log_path).read_text()}")
    try:
        urllib.request.urlopen(f"{base}/hello", timeout=2).close()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return True


def serve_command(port):
    """The development server's command line."""
    return [sys.executable, "dispatcher.py", "serve", "--port", str(port)]


def deliver_command():
    """The deliver process's command line (mail delivery and periodic jobs)."""
    return [sys.executable, "dispatcher.py", "deliver"]


def gunicorn_command(port, workers=2, threads=None, worker_class=None, app=SITE):
    """gunicorn serving ``app``, with gunicorn.conf.py's gthread workers of
    eight threads unless ``worker_class`` and ``threads`` say otherwise."""
    options = ["-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if worker_class is not None:
        options += ["-k", worker_class]
    if threads is not None:
        options += ["--threads", str(threads)]
    return [sys.executable, "-m", "gunicorn", *options, app]


def waitress_command(port, threads=4, app=SITE):
    """waitress serving ``app`` with ``threads`` threads (its default 4)."""
    waitress = BIN / "waitress-serve"
    return [str(waitress), f"--listen=127.0.0.1:{port}", f"--threads={threads}", app]


def granian_command(port, workers=2, threads=8, app=SITE):
    """granian serving ``app`` over WSGI: ``workers`` processes of
    ``threads`` blocking threads."""
    options = ["--interface", "wsgi", "--workers", str(workers)]
    options += ["--blocking-threads", str(threads)]
    bind = ["--host", "127.0.0.1", "--port", str(port)]
    return [str(BIN / "granian"), *options, *bind, app]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand redirects back to the test, as a browser's devtools would


class Browser:
    """An HTTP client with cookies that does not follow redirects."""

    def __init__(self, base, cookies=None, address=None):
        self.base = base
        self.cookies = http.cookiejar.CookieJar() if cookies is None else cookies
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )
        if address is not None:  # a client at ``address``, behind one proxy
            self.opener.addheaders = [("X-Forwarded-For", address)]

    def at(self, base):
        """The same browser (the same cookies) talking to the server at ``base``."""
        return Browser(base, self.cookies)

    def request(self, path, data=None):
        """Send a GET (or a form POST with ``data``); return status, headers, body."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def submit(self, path, data, form_path=None):
        """POST a form with the CSRF token of the page at ``form_path``."""
        _, _, page = self.request(form_path or path)
        return self.request(path, {"csrf_token": csrf_token(page), **data})
