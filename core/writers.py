"""The background threads of a process (mail delivery, the jobs) take turns,
first come first served, at SQLite's one write lock.

SQLite's busy handler sleeps 1, 2, 5 ... up to 100 ms between its tries, so a
thread waiting for another thread's write took the lock up to 50 ms after it
was free, and eight delivery threads marking messages slept more than they
sent. Queued here, only one of them at a time meets the file's lock, and a
page's write (never queued: ``core.db``) competes with that one alone, not
with eight; other processes still meet SQLite's own wait.
"""

import os
import threading
from collections import deque


class WriterQueue:
    """A lock handed to its waiters in the order they asked for it."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._held = False
        self._waiters = deque()  # each a locked Lock, released to hand over

    def acquire(self, timeout):
        """Take the lock, waiting up to ``timeout`` seconds; tell whether taken."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over as the wait ran out

    def release(self):
        """Hand the lock to the next waiter, or leave it free."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


_QUEUES = {}  # one per SQLite file, for every engine of the process on it
os.register_at_fork(after_in_child=_QUEUES.clear)  # a child starts afresh


def queue_for(path):
    """The process's queue of writers of the SQLite file at ``path``."""
    return _QUEUES.setdefault(path, WriterQueue())
