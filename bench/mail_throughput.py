"""How fast mail goes out: the outbox against the source texts' designs.

    python -m bench.mail_throughput [--messages 200] [--rounds 3]

The same messages, sent to an SMTP server in a process of its own that
answers at once or after 50 ms a message, each of the ways of
``bench/mail_ways.py`` (the outbox's delivery threads or deliver processes,
one ``mail.send()`` per message, a thread per message).

Each way takes its turn in every round; the table gives messages per second
(min / median / max) and the outbox's ratio to one ``send()`` per message.
"""

import argparse

from bench.mail_ways import WAYS, make_app
from bench.smtp_peer import Peer
from bench.table import Row, render

DELAYS = (0.0, 0.05)


def measure(delay, count, rounds, ways=WAYS):
    """Messages per second of each way, per round, with the peer's ``delay``."""
    rates = {name: [] for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            peer = Peer(delay)
            try:
                app = make_app(peer.port)
                seconds = way(app, count, peer)
                assert peer.received() == count, f"{name}: not every message arrived"
            finally:
                peer.stop()
            rates[name].append(count / seconds)
    return rates


FIGURE = "5b. Delivery throughput (messages/s, higher is better)"


def rows(messages, rounds, delays=DELAYS, ways=WAYS):
    """The figure's rows: each way with each server delay."""
    found = []
    for delay in delays:
        server = f"server {delay * 1000:.0f} ms"
        for name, samples in measure(delay, messages, rounds, ways).items():
            label, base = f"{name}, {server}", f"one send() per message, {server}"
            base = None if label == base else base
            found.append(Row(FIGURE, label, "msg/s", samples, base, False))
    return found


def main(argv=None):
    """Measure with each server delay and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(render(rows(args.messages, args.rounds)))


if __name__ == "__main__":
    main()
