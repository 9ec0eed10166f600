"""An SMTP server in a process of its own, for the benchmarks.

    python -m bench.smtp_peer PORT healthy|stalled [DELAY]

Runs until killed. Stalled holds every DATA command forever; DELAY (seconds)
delays every final reply to DATA. It counts the messages it accepts without
parsing them (a benchmark measures the client, not this server), prints
"ready", then, whenever a line comes on its standard input, the count.
"""

import sys

from harness.smtp import SMTPServer

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
    for _line in sys.stdin:
        print(server.recorder.count, flush=True)
