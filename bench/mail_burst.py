"""Figure 5c: a burst of 500 follows (server at 50 ms): the threads and the
memory the process reaches, and whether every email arrived, once; and the
same burst sent by two deliver processes, one of them SIGKILLed halfway."""

import threading
import time
from contextlib import contextmanager

from bench.mail_site import Site, arrived, design, wait_sent
from bench.proc import rss_mb
from bench.smtp_peer import Peer
from bench.table import Row

FIGURE_BURST = "5c. A burst of 500 follows, server at 50 ms"


@contextmanager
def peaks():
    """Sample the thread count and memory every 10 ms; yield the peaks."""
    found = {"threads": threading.active_count(), "rss": rss_mb(), "start": rss_mb()}
    stop = threading.Event()

    def sample():
        while not stop.wait(0.01):
            found["threads"] = max(found["threads"], threading.active_count() - 1)
            found["rss"] = max(found["rss"], rss_mb())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield found
    finally:
        stop.set()
        sampler.join()


def burst_rows(follows):
    """Figure 5c: threads, memory, lost and doubled, for two designs."""
    rows = []
    for name in ("outbox (this site)", "a thread per email"):
        peer = Peer(0.05)
        site = Site(peer, follows)
        try:
            with peaks() as peak, design(name):
                start = time.perf_counter()
                for n in range(follows):
                    site.follow(n)
                arrived(peer, follows)
                seconds = time.perf_counter() - start
            site.site.services.wake()
            received = peer.received()
        finally:
            site.stop()
            peer.stop()
        for what, value, unit in (
            ("peak threads", peak["threads"], "threads"),
            ("memory growth", peak["rss"] - peak["start"], "MB"),
            ("all delivered after", seconds, "s"),
            ("lost", max(0, follows + 1 - received), "emails"),
            ("doubled", max(0, received - follows - 1), "emails"),
        ):
            rows.append(Row(FIGURE_BURST, f"{name}: {what}", unit, [value]))
    return rows


LEASE = 5  # seconds: the killed process's claims pass on within this


def killed_deliverer_rows(follows):
    """Figure 5c, last rows: two deliver processes send the burst, and one
    is SIGKILLed halfway; lost, and doubled (at most its 8 threads' 8
    messages in flight)."""
    peer = Peer(0.05)
    site = Site(peer, follows, deliverers=2, MAIL_LEASE_SECONDS=LEASE)
    try:
        start = time.perf_counter()
        for n in range(follows):
            site.follow(n)
            if n == follows // 2:
                site.deliverers.kill(0)
        wait_sent(site.app, follows + 1)  # and the fan's confirmation
        seconds = time.perf_counter() - start
        received = peer.received()
    finally:
        site.stop()
        peer.stop()
    name = "2 deliverers, 1 killed"
    return [
        Row(FIGURE_BURST, f"{name}: {what}", unit, [value])
        for what, value, unit in (
            ("all delivered after", seconds, "s"),
            ("lost", max(0, follows + 1 - received), "emails"),
            ("doubled", max(0, received - follows - 1), "emails"),
        )
    ]
