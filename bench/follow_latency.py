"""Does a slow or dead mail server slow the follow page? Measured, not assumed.

The same follow requests run against three SMTP states: healthy, stalled (it
holds every DATA command), and dead (nothing listens). The SMTP server runs
in a process of its own, as a real one would. Each run gets a fresh site and
database; the states take turns over several rounds (after a warm-up), and
the best round of each is compared with the healthy one.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import Client

from dispatcher import create_application
from harness.accounts import ADMIN_PASSWORD_HASH, Account, confirm_address, submit
from harness.local import free_port

FOLLOWS = 40  # each run registers FOLLOWS + 1 users (scrypt): most of the time
ROUNDS = 3
STATES = ("healthy", "stalled", "dead")


def start_peer(state, port):
    """Start the SMTP server process for ``state`` (none when dead)."""
    if state == "dead":
        return None
    command = [sys.executable, "-m", "bench.smtp_peer", str(port), state]
    peer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert peer.stdout.readline().strip() == "ready"
    return peer


def run(state):
    """Seconds per follow request with the SMTP server in ``state``."""
    port = free_port()
    peer = start_peer(state, port)
    db = Path(tempfile.mkdtemp()) / "site.sqlite"
    # A crowd of accounts from one client: the rate limits are off, as for
    # any load test.
    common = {"TESTING": True, "DATABASE": str(db), "RATELIMIT_ENABLED": False}
    front = {**common, "SECRET_KEY": "f", "MAIL_PORT": port, "MAIL_DELIVERY": True}
    back = {**common, "SECRET_KEY": "a", "ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH}
    site = create_application(front, back)
    follower = Client(site)
    Account(follower).register("fan")
    url = f"sqlite:///{db}"
    for n in range(FOLLOWS):  # confirmed: each follow writes an email
        star = Client(site)
        Account(star).register(f"star{n}")
        confirm_address(star, url, f"star{n}@example.com")
    elapsed = 0.0
    for n in range(FOLLOWS):
        page = f"/user/star{n}"
        start = time.perf_counter()
        response = submit(follower, f"/follow/star{n}", {}, form_url=page)
        elapsed += time.perf_counter() - start
        assert response.status_code == 302
    if peer is not None:
        peer.kill()  # first: a stalled server would hold the sender's stop
        peer.wait()
    site.app.extensions["outbox_delivery"].stop()
    return elapsed / FOLLOWS


def main():
    """Print each state's time per follow and its ratio to the healthy one."""
    run("healthy")  # warm-up: imports, first connections
    results = {state: [] for state in STATES}
    for _ in range(ROUNDS):
        for state in STATES:
            results[state].append(run(state))
    base = min(results["healthy"])
    print(f"Follow page: {FOLLOWS} follows x {ROUNDS} rounds, best round")
    for state, times in results.items():
        best = min(times)
        print(f"  SMTP {state:<8} {best * 1000:7.2f} ms/follow  x{best / base:.2f}")
