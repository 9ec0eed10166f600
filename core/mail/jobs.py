"""Periodic jobs, run by the delivery threads between deliveries."""

import threading
import time


class Jobs:
    """Jobs to run every so many seconds; one thread at a time runs each."""

    def __init__(self):
        self._jobs = []  # [seconds, job, when it last ran]
        self._lock = threading.Lock()

    def every(self, seconds, job):
        """Run ``job()`` every ``seconds``, first at the first ``run_due``."""
        self._jobs.append([seconds, job, 0.0])

    def run_due(self):
        """Run the jobs whose time has come, in the calling thread."""
        now = time.time()
        for entry in self._jobs:
            with self._lock:
                seconds, job, last = entry
                if now - last < seconds:
                    continue
                entry[2] = now
            job()
