"""The login lockout: too many failed logins for one account lock it a while.

It counts per account, whoever the clients are, so spreading guesses over
many addresses gains nothing; the account is refused even the right
password until the window of its first failure ends. It is always on (not
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
    """The counter's key: the app and a digest of the account name as
    typed in any letter case (the table holds no names)."""
    digest = hashlib.sha256(account.casefold().encode()).hexdigest()[:32]
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
    counting a failure against ``account``; raise Locked instead of checking
    while ``account`` is locked."""
    seconds = seconds_locked(account)
    if seconds:
        raise Locked(seconds)
    result = check(*args)
    if result:
        succeeded(account)
    else:
        failed(account)
    return result


def seconds_locked(account):
    """How long ``account`` stays locked (0 if it is not)."""
    rule = _rule()
    if _limiter.test(rule, _key(account)):
        return 0
    reset_at = _limiter.get_window_stats(rule, _key(account)).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def failed(account):
    """Count a failed login for ``account``."""
    _limiter.hit(_rule(), _key(account))


def succeeded(account):
    """Forget the failures of ``account``: its owner got in."""
    _limiter.clear(_rule(), _key(account))
