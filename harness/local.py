"""Free loopback ports for real servers, and polling for what they do."""

import socket
import time


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout=30.0, interval=0.1, message="condition"):
    """Poll ``check`` until it returns a true value, or fail after ``timeout``.

    The first polls come 5 ms apart, then twice as far each time, up to
    ``interval``: most conditions hold within milliseconds, and a fixed
    0.1 s made every wait 50 ms longer on average.
    """
    deadline = time.monotonic() + timeout
    pause = min(0.005, interval)
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(pause)
        pause = min(pause * 2, interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
