"""The frontend's rate limits, per client and per account (values in the
app's config, see ``frontend.DEFAULTS`` and ``core.config``)."""

from core.throttle import logins
from core.throttle.limiter import account, anonymous, configured, new_limiter

limiter = new_limiter()  # the frontend's own; the admin has another


login = logins.client_limit(limiter)  # failed logins, as the admin's

# Every attempt counts, made or refused: a refusal tells whether a nickname
# or an address has an account, which must not be asked of it at will.
register = limiter.limit(
    configured("RATELIMIT_REGISTER_CLIENT"),
    methods=["POST"],
    error_message="Too many registrations from your address: try again later.",
)

resend_client = limiter.limit(
    configured("RATELIMIT_RESEND_CLIENT"),
    error_message="Too many links asked for from your address: try again later.",
)
resend_account = limiter.limit(
    configured("RATELIMIT_RESEND_ACCOUNT"),
    key_func=account,
    exempt_when=anonymous,
    error_message="You asked for many links already: try again later.",
)

# Following and unfollowing count together: one scope for both views.
follow_client = limiter.shared_limit(
    configured("RATELIMIT_FOLLOW_CLIENT"),
    scope="follow",
    error_message="Too many follows from your address: slow down a little.",
)
follow_account = limiter.shared_limit(
    configured("RATELIMIT_FOLLOW_ACCOUNT"),
    scope="follow-account",
    key_func=account,
    exempt_when=anonymous,
    error_message="You followed many people just now: slow down a little.",
)
