"""A login form's submission, the same in both apps: the per-client limit of
failed logins, and one attempt checked through the account lockout.

Both counts are taken before the password is checked, each in one atomic
statement, so a burst of parallel guesses gets no more checks than the
limits allow.
"""

import logging

from core.throttle import lockout
from core.throttle.limiter import configured

log = logging.getLogger(__name__)
FAILED_LOGINS = "Too many failed logins from your address: try again later."


def client_limit(limiter):
    """The decorator that limits failed logins per client, on ``limiter``.

    Flask-Limiter counts each POST as it arrives (no ``deduct_when``, which
    would test first and count after the view, letting a burst through);
    ``attempt`` gives the count back when no wrong password was checked (a
    right login, or one the lockout refused).
    """
    return limiter.limit(
        configured("RATELIMIT_LOGIN_CLIENT"),
        methods=["POST"],
        error_message=FAILED_LOGINS,
    )


def give_back(limiter):
    """Uncount this request from the limits ``limiter`` counted it against
    (if its storage answers: else the count stays, the safe side)."""
    counted = limiter.current_limits  # none when the limits are off
    if not counted:
        return
    storage = limiter.limiter.storage
    try:
        for limit in counted:
            storage.incr(limit.key, limit.limit.get_expiry(), amount=-1)
    except storage.base_exceptions as error:
        log.warning("could not give back a login's count: %s", error)


def attempt(limiter, form, account, check, *args, wrong):
    """Check a submitted login ``form`` through the lockout of ``account``
    (the key its login looks it up by), counted by ``client_limit(limiter)``.

    Returns (``check(*args)``, status, headers): its truthy result and 200
    when the login is right; else None, with the reason added to the form's
    password errors, and 429 (locked, with ``Retry-After``: the lockout's
    own wait), 400 (``wrong``, or the form invalid) or 200 (a GET).
    """
    if not form.validate_on_submit():
        return None, 400 if form.errors else 200, {}
    try:
        result = lockout.attempt(account, check, *args)
    except lockout.Locked as locked:
        give_back(limiter)  # no password was checked
        form.password.errors.append(str(locked))
        return None, 429, {"Retry-After": str(locked.seconds)}
    if not result:
        form.password.errors.append(wrong)
        return None, 400, {}
    give_back(limiter)
    return result, 200, {}
