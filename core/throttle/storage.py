"""A storage for the ``limits`` library (Flask-Limiter's) in the site's database.

``limits`` keeps counters in memory (one per process: each gunicorn worker
would count alone) or in Redis, Memcached or MongoDB, which this site does
not run. Its one database is shared by every worker and every machine
already, so the counters live there: ``RATELIMIT_STORAGE_URI = "database://"``.
Each hit is one upsert; the fixed-window strategy needs nothing more.
"""

import logging
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from core.db import insert, run, transaction
from core.throttle.models import RateCounter

COUNTERS = RateCounter.__table__
log = logging.getLogger(__name__)


class DatabaseStorage(Storage):
    """Counters in the ``rate_counter`` table of the active app's database
    (each call runs in an app context, as Flask-Limiter's do)."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        """What the database raises when it fails."""
        return SQLAlchemyError

    def incr(self, key, expiry, amount=1):
        """Add ``amount`` hits to ``key``, starting a window of ``expiry``
        seconds if the last one is over; return the hits in the window."""
        now = time.time()
        over = COUNTERS.c.expires_at <= now  # the stored row's window
        statement = (
            insert(COUNTERS)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[COUNTERS.c.key],
                set_={
                    "hits": case((over, amount), else_=COUNTERS.c.hits + amount),
                    "expires_at": case(
                        (over, now + expiry), else_=COUNTERS.c.expires_at
                    ),
                },
            )
            .returning(COUNTERS.c.hits)
        )
        with transaction():
            return run(statement).scalar()

    def get(self, key):
        """The hits on ``key`` in its current window (0 if none)."""
        statement = select(COUNTERS.c.hits).where(
            COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time()
        )
        return run(statement).scalar() or 0

    def get_expiry(self, key):
        """When the window of ``key`` ends (now, if there is none)."""
        statement = select(COUNTERS.c.expires_at).where(COUNTERS.c.key == key)
        return max(run(statement).scalar() or 0.0, time.time())

    def check(self):
        """Tell whether the database answers."""
        try:
            run(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self):
        """Forget every counter; return how many there were."""
        with transaction():
            return run(delete(COUNTERS)).rowcount

    def clear(self, key):
        """Forget the counter of ``key``."""
        with transaction():
            run(delete(COUNTERS).where(COUNTERS.c.key == key))


def prune():
    """Delete the counters whose window is over; then, past
    ``RATELIMIT_MAX_COUNTERS``, those with the fewest hits, the soonest to
    end first (a periodic job). Return how many live ones were dropped.

    Each new client adds a row per limit it meets (three for a login), and
    clients that are many addresses (a botnet, IPv6 networks) can be new
    every time; dropping a one-hit counter forgets one request of a client
    seen once, while the clients that keep hitting keep their counts.
    """
    keep = current_app.config["RATELIMIT_MAX_COUNTERS"]
    with transaction():
        run(delete(COUNTERS).where(COUNTERS.c.expires_at <= time.time()))
        over = run(select(func.count()).select_from(COUNTERS)).scalar() - keep
        if over <= 0:
            return 0
        fewest = select(COUNTERS.c.key).order_by(COUNTERS.c.hits, COUNTERS.c.expires_at)
        run(delete(COUNTERS).where(COUNTERS.c.key.in_(fewest.limit(over))))
    log.warning("RATELIMIT_MAX_COUNTERS: dropped the %s with the fewest hits", over)
    return over
