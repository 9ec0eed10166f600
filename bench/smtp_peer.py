"""An SMTP server in a process of its own, for the benchmarks.

    python -m bench.smtp_peer PORT healthy|stalled

Runs until killed. Stalled holds every DATA command forever.
"""

import sys
import threading

from harness.smtp import SMTPServer

if __name__ == "__main__":
    server = SMTPServer()
    server.port = int(sys.argv[1])
    if sys.argv[2] == "stalled":
        server.recorder.open.clear()
    server.start()
    print("ready", flush=True)
    threading.Event().wait()
