"""Periodic jobs of the site's apps (pruning, digests), in one thread a process.

An app names its jobs with ``every(app, seconds, job)``; a process that runs
the site's services (``core.services``) runs each job in that app's context,
whether or not the process also delivers mail.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)
JOBS = "site.jobs"  # where an app keeps its jobs, in app.extensions


def every(app, seconds, job):
    """Run ``job()`` every ``seconds`` in an app context of ``app``."""
    app.extensions.setdefault(JOBS, []).append((seconds, job))


class JobThread:
    """Runs the jobs of ``apps`` when they are due, in one daemon thread."""

    def __init__(self, apps):
        self.due = [  # [when next, seconds, job, app]
            [0.0, seconds, job, app]
            for app in apps
            for seconds, job in app.extensions.get(JOBS, ())
        ]
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        """Start the thread (nothing to do without jobs)."""
        if self.due and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout=None):
        """Let the job running finish, then end."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_due(self):
        """Run the jobs whose time has come; return when the next one is due."""
        for entry in self.due:
            when, seconds, job, app = entry
            if time.time() >= when:
                entry[0] = time.time() + seconds
                try:
                    with app.app_context():
                        job()
                except Exception:  # the database away: try again next time
                    log.exception("job %s of %s failed", job.__qualname__, app.name)
        return min(entry[0] for entry in self.due)

    def _run(self):
        while not self._stopping.is_set():
            self._stopping.wait(max(self.run_due() - time.time(), 0.0))
