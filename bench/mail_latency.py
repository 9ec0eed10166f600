"""Figure 5d: how long from a follow's response to its email's arrival.

    python -m bench.mail_latency [--follows 50] [--rounds 3]

With an SMTP server that answers at once and a poll of 60 s, so that only a
wake-up sends the email quickly: the site's own delivery threads (woken by
the commit, in the same process) and a deliver process beside it (woken by
a datagram on SQLite, by ``NOTIFY`` on PostgreSQL). Follows one at a time;
each waits for its email, which the server says when it accepted
(``Peer.arrival``: nothing polls beside what is measured).
"""

import argparse
import time

from bench.mail_site import Site
from bench.profile_page import postgres_database, start_postgres
from bench.smtp_peer import Peer
from bench.table import Row, percentile, render

FIGURE = "5d. From the follow's response to its email's arrival, 60 s poll (ms)"
POLL = 60.0
SHAPES = {"delivery threads": 0, "a deliver process": 1}


def arrival_times(database_url, deliverers, follows):
    """Milliseconds from each follow's response to its email's arrival."""
    peer = Peer(0.0)
    site = Site(peer, follows, deliverers, database_url, poll=POLL)
    times = []
    try:
        # The fan's confirmation first: sent at the start, not by a wake-up.
        peer.arrival(1)
        for n in range(follows):
            site.follow(n)
            start = time.monotonic()
            # Threads in the web process may send it before the response is read.
            times.append(max(0.0, peer.arrival(n + 2) - start) * 1000)
    finally:
        site.stop()
        peer.stop()
    return times


def backends(postgres):
    """The databases to measure on: name -> a callable giving a fresh URL
    (None: a new SQLite file); PostgreSQL too if asked and installed."""
    found = {"SQLite": lambda: None}
    server, template = start_postgres() if postgres else (None, None)
    if server is not None:  # shared with figures 3 and 3b
        found["PostgreSQL"] = lambda: postgres_database(server, template)
    return found


def rows(follows, rounds, postgres=True):
    """The figure's rows: p50 and p99 per backend and delivery shape."""
    samples = {}
    for _ in range(rounds):
        for backend, fresh_url in backends(postgres).items():
            for shape, deliverers in SHAPES.items():
                times = arrival_times(fresh_url(), deliverers, follows)
                for share in (0.5, 0.99):
                    label = f"{shape}, {backend}, p{share * 100:.0f}"
                    samples.setdefault(label, []).append(percentile(times, share))
    return [Row(FIGURE, label, "ms", values) for label, values in samples.items()]


def main(argv=None):
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(render(rows(args.follows, args.rounds)))


if __name__ == "__main__":
    main()
