"""A login form's submission, the same in both apps: the per-client limit of
failed logins, and one attempt checked through the account lockout."""

from core.throttle import lockout
from core.throttle.limiter import configured

FAILED_LOGINS = "Too many failed logins from your address: try again later."


def failed(response):
    """Tell whether a login was refused (its form comes back with 400)."""
    return response.status_code == 400


def client_limit(limiter):
    """The decorator that limits failed logins per client, on ``limiter``."""
    return limiter.limit(
        configured("RATELIMIT_LOGIN_CLIENT"),
        methods=["POST"],
        deduct_when=failed,
        error_message=FAILED_LOGINS,
    )


def attempt(form, account, check, *args, wrong):
    """Check a submitted login ``form`` through the lockout of ``account``.

    Returns (``check(*args)``, status, headers): its truthy result and 200
    when the login is right; else None, with the reason added to the form's
    password errors, and 429 (locked, with ``Retry-After``: the lockout's
    own wait, which Flask-Limiter keeps), 400 (``wrong``, or the form
    invalid) or 200 (no submission, a GET).
    """
    if not form.validate_on_submit():
        return None, 400 if form.errors else 200, {}
    try:
        result = lockout.attempt(account, check, *args)
    except lockout.Locked as locked:
        form.password.errors.append(str(locked))
        return None, 429, {"Retry-After": str(locked.seconds)}
    if not result:
        form.password.errors.append(wrong)
        return None, 400, {}
    return result, 200, {}
