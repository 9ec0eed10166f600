"""The login lockout: too many failed logins for one account lock it a while.

It counts per account, whoever the clients are, so spreading guesses over
many addresses gains nothing; the account is refused even the right
password until the window of its first failed attempt ends. Attempts are
counted before their password is checked, so no burst gets past it. It is always on (not
switched by ``RATELIMIT_ENABLED``) and counts in the database, so every
worker and machine sees the same count. ``LOGIN_LOCKOUT`` sets it, for
example "10 per 15 minutes". Unknown names are counted alike: a lockout
tells nobody whether an account exists.
"""

import hashlib
import math
import time

from flask import current_app
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from core.throttle.storage import DatabaseStorage

_limiter = FixedWindowRateLimiter(DatabaseStorage())


def _key(account):
    """The counter's key: the app and a digest of ``account``, the key its
    login looks the account up by (the table holds no names)."""
    digest = hashlib.sha256(account.encode()).hexdigest()[:32]
    return f"lockout/{current_app.name}/{digest}"


def _rule():
    return parse(current_app.config["LOGIN_LOCKOUT"])


class Locked(Exception):
    """The account is locked for ``seconds`` more; ``str()`` says so to its user."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self):
        minutes = math.ceil(self.seconds / 60)
        unit = "minute" if minutes == 1 else "minutes"
        return (
            "Too many failed logins for this account: it is locked for "
            f"{minutes} more {unit}, even with the right password."
        )


def attempt(account, check, *args):
    """Return ``check(*args)``, a login check that is falsy when it fails,
    or raise Locked instead of checking while ``account`` is locked.

    The attempt is counted before the check, in one atomic statement, so
    a burst of any size gets no more checks than the rule allows; a right
    login forgets the count.
    """
    rule, key = _rule(), _key(account)
    if not _limiter.hit(rule, key):
        raise Locked(_seconds_left(rule, key))
    result = check(*args)
    if result:  # its owner got in: the failures are forgotten
        _limiter.clear(rule, key)
    return result


def _seconds_left(rule, key):
    """How long the window of ``key`` lasts (at least a second)."""
    reset_at = _limiter.get_window_stats(rule, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))
