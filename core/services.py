"""What runs beside the web in a process: mail delivery and the periodic jobs.

The site owns one ``Services``; whatever runs the process starts and stops
it (``serve``, gunicorn's worker hooks in ``gunicorn.conf.py``, a test).
Nothing starts at import, and nothing is left to ``atexit``.
"""

import os
import threading

from core.jobs import JobThread
from core.mail.wakeup import Listener
from core.mail.workers import DELIVERY


class Services:
    """The mail delivery of the site's apps that send mail, and their jobs."""

    def __init__(self, apps):
        self.apps = list(apps)
        self._lock = threading.Lock()
        self._pid = None
        self.jobs = None
        self.listener = None  # wakes delivery when another process wrote mail

    def deliveries(self):
        """The delivery threads of the apps configured to deliver mail."""
        return [
            app.extensions[DELIVERY]
            for app in self.apps
            if DELIVERY in app.extensions and app.config["MAIL_DELIVERY"]
        ]

    @property
    def running(self):
        """Tell whether this process started them."""
        return self._pid == os.getpid()

    def start(self):
        """Start delivery and the jobs, once per process (again after a fork)."""
        with self._lock:
            if self.running:
                return
            self._pid = os.getpid()
            self.jobs = JobThread(self.apps)
            self.jobs.start()
            deliveries = self.deliveries()
            for delivery in deliveries:
                delivery.start()
            if deliveries:
                self.listener = Listener(deliveries[0].app, self.wake)
                self.listener.start()

    def stop(self, timeout=None):
        """Let in-flight mail and jobs finish, hand back the rest, and end."""
        if self.listener is not None:
            self.listener.stop()
        for delivery in self.deliveries():
            delivery.stop(timeout)
        if self.jobs is not None:
            self.jobs.stop(timeout)

    def wake(self):
        """Tell the delivery threads of this process that mail is due now."""
        for app in self.apps:
            if DELIVERY in app.extensions:
                app.extensions[DELIVERY].wake()
