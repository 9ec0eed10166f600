"""Passwords: hashed with the app's ``PASSWORD_HASH_METHOD`` (scrypt unless
configured), and checked once per login attempt, whether or not the
nickname exists."""

import secrets
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from core.accounts.users import find_user


def hash_password(password):
    """Hash ``password`` with the app's ``PASSWORD_HASH_METHOD``."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return generate_password_hash(password, method=method)


def stand_in_hash():
    """A hash made like every user's, checked when there is no user, so that
    an unknown nickname takes as long as a wrong password."""
    return _stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _stand_in_hash(method):
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(nickname, password):
    """Return the user if the nickname and password match, else None.

    One password check either way: timing tells nobody who is registered.
    """
    user = find_user(nickname)
    password_hash = user.password_hash if user is not None else stand_in_hash()
    if check_password_hash(password_hash, password) and user is not None:
        return user
    return None
