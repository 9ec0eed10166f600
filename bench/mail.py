"""Figure 5: mail, against an SMTP server process answering in 0, 50, 200 ms.

a. The follow page's latency (p50, p99) with the site's design (the outbox,
   sent by delivery threads after the request, or by a deliver process
   beside it) next to the two designs of the source texts, measured the
   same way: sending inside the request, and a thread per email. Those two
   are the same site with its ``notify.notify_followed`` replaced. The
   deliver process's rows compare with a thread per email's.
b. Delivery throughput: bench/mail_throughput.py.
c. A burst of 500 follows: bench/mail_burst.py.
d. From the follow to the email's arrival: bench/mail_latency.py.

The site they all mail from, and the designs: bench/mail_site.py.
"""

from bench import mail_burst, mail_latency, mail_throughput, mail_ways
from bench.mail_site import DESIGNS, SEPARATE, Site, arrived, design
from bench.smtp_peer import Peer
from bench.table import Row, percentile

FIGURE_LATENCY = "5a. The follow page's latency with a slow SMTP server (ms)"
DELAYS = (0.0, 0.05, 0.2)


def follow_times(name, delay, follows):
    """Milliseconds of each of ``follows`` follows, the ``name`` way, with
    the server answering after ``delay`` seconds."""
    peer = Peer(delay)
    site = Site(peer, follows, deliverers=1 if name == SEPARATE else 0)
    try:
        with design(name):
            times = [site.follow(n) * 1000 for n in range(follows)]
        arrived(peer, follows)
    finally:
        site.stop()
        peer.stop()
    return times


def label_and_base(name, share, delay):
    """A 5a row's label, and the row its ratio is taken to: the same design
    at 0 ms, or, for the deliver process, a thread per email's at ``delay``
    (the issue's target: within 1.2x of it)."""
    percent, server = f"p{share * 100:.0f}", f"server {delay * 1000:.0f} ms"
    base = f"{name}, {percent}, server 0 ms" if delay else None
    if name == SEPARATE:
        base = f"a thread per email, {percent}, {server}"
    return f"{name}, {percent}, {server}", base


def latency_rows(follows, rounds, delays=DELAYS):
    """Figure 5a: p50 and p99 per design and server delay, one sample of
    each per round (the designs and delays take turns in every round)."""
    samples = {}
    for _ in range(rounds):
        for delay in delays:
            for name in DESIGNS:
                times = follow_times(name, delay, follows)
                for share in (0.5, 0.99):
                    key = (name, delay, share)
                    samples.setdefault(key, []).append(percentile(times, share))
    rows = []
    for name in DESIGNS:
        for share in (0.5, 0.99):
            for delay in delays:
                label, base = label_and_base(name, share, delay)
                values = samples[(name, delay, share)]
                rows.append(Row(FIGURE_LATENCY, label, "ms", values, base))
    return rows


def measure(smoke=False):
    """The figure's rows (5a to 5d)."""
    if smoke:
        # Each design and way once, against an instant server, on SQLite:
        # the code all runs (one deliver process stands for two).
        ways = dict(mail_ways.WAYS)
        del ways["outbox, two deliver processes"]
        return (
            latency_rows(3, 1, delays=DELAYS[:1])
            + mail_throughput.rows(5, 1, delays=DELAYS[:1], ways=ways)
            + mail_burst.burst_rows(5)
            + mail_burst.killed_deliverer_rows(5)
            + mail_latency.rows(3, 1, postgres=False)
        )
    return (
        latency_rows(50, 3)
        + mail_throughput.rows(200, 3)
        + mail_burst.burst_rows(500)
        + mail_burst.killed_deliverer_rows(500)
        + mail_latency.rows(50, 3)
    )
