"""Signed links for email: confirming an address, and unsubscribing.

Each kind has its own salt, so a token made for one purpose is refused for
the other. A confirmation names the address it confirms and expires; an
unsubscribe link works as long as the app's secret key does (mail clients
keep old messages). Links are signed with the current key and checked with
it and the keys in ``SECRET_KEY_FALLBACKS``, so rotating the key breaks no
link already mailed.
"""

from flask import current_app
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

CONFIRM, UNSUBSCRIBE = "confirm-email", "unsubscribe"


class InvalidToken(Exception):
    """The link was altered, made for something else, or never ours."""


class ExpiredToken(InvalidToken):
    """The link was ours, but it is too old."""


def keys():
    """The app's keys, oldest first: itsdangerous signs with the last one."""
    return [*(current_app.config["SECRET_KEY_FALLBACKS"] or []), current_app.secret_key]


def confirmation_token(user):
    """A link token that confirms ``user``'s current address."""
    serializer = URLSafeTimedSerializer(keys(), salt=CONFIRM)
    return serializer.dumps({"id": user.id, "email": user.email})


def read_confirmation(token):
    """Return (user id, email) of a confirmation token, or raise."""
    serializer = URLSafeTimedSerializer(keys(), salt=CONFIRM)
    max_age = current_app.config["CONFIRM_MAX_AGE_HOURS"] * 3600
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ExpiredToken from error
    except BadSignature as error:
        raise InvalidToken from error
    return data["id"], data["email"]


def unsubscribe_token(user):
    """A link token that turns off ``user``'s follower emails."""
    return URLSafeSerializer(keys(), salt=UNSUBSCRIBE).dumps(user.id)


def read_unsubscribe(token):
    """Return the user id of an unsubscribe token, or raise."""
    serializer = URLSafeSerializer(keys(), salt=UNSUBSCRIBE)
    try:
        return serializer.loads(token)
    except BadSignature as error:
        raise InvalidToken from error
