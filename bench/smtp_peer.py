"""An SMTP server in a process of its own, for the benchmarks, and ``Peer``,
the benchmarks' handle on it.

    python -m bench.smtp_peer PORT healthy|stalled [DELAY]

Runs until killed. Stalled holds every DATA command forever; DELAY (seconds)
delays every final reply to DATA. It counts the messages it accepts without
parsing them (a benchmark measures the client, not this server), prints
"ready", then answers each line on its standard input: "?" with the count,
a number N with the ``time.monotonic()`` at which the N-th message came
(once it has come).
"""

import subprocess
import sys

from harness.local import free_port
from harness.smtp import SMTPServer


class Peer:
    """The SMTP server process."""

    def __init__(self, delay):
        self.port = free_port()
        command = [sys.executable, "-m", "bench.smtp_peer", str(self.port)]
        command += ["healthy", str(delay)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"

    def received(self):
        """How many messages the server has accepted."""
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def arrival(self, count):
        """When (``time.monotonic()``: one clock for every process of the
        machine) the server accepted its ``count``-th message. The server
        waits for it and answers: no polling competes for the CPU with what
        is measured."""
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer != "None", f"the server never got {count} messages"
        return float(answer)

    def stop(self):
        """End the server process."""
        self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    server = SMTPServer()
    server.port = int(sys.argv[1])
    if sys.argv[2] == "stalled":
        server.recorder.open.clear()
    if len(sys.argv) > 3:
        server.recorder.data_delay = float(sys.argv[3])
    server.recorder.parse = False
    server.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "?":
            print(server.recorder.count, flush=True)
        else:
            print(server.recorder.wait_for(int(line), timeout=300), flush=True)
