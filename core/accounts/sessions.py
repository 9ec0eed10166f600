"""Session tokens: each login session carries one, and a logout replaces it.

A session cookie is signed, not stored: a copy of it stays valid as long as
what it names does. So the id Flask-Login keeps in the cookie includes a
token from the database, compared on every request, and replaced when the
user logs out: every copy of the old cookie then names nothing.
"""

import hmac
import secrets

from sqlalchemy import select, update

from core.accounts.models import AdminLogin, User
from core.db import insert, run, transaction


def same(given, expected):
    """Compare two tokens in constant time (a missing one matches nothing)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def user_token(user_id):
    """The user's current session token, made on first use."""
    token = run(select(User.session_token).where(User.id == user_id)).scalar()
    return token or renew_user_token(user_id)


def renew_user_token(user_id):
    """Replace the user's token (at logout): every session of theirs ends."""
    token = secrets.token_hex(16)
    with transaction():
        run(update(User).where(User.id == user_id).values(session_token=token))
    return token


def stored_admin_token(username):
    """The admin's current session token, or None."""
    statement = select(AdminLogin.session_token).where(AdminLogin.username == username)
    return run(statement).scalar()


def admin_token(username):
    """The admin's current session token, made on first use."""
    return stored_admin_token(username) or renew_admin_token(username)


def renew_admin_token(username):
    """Replace the admin's token (at logout): every admin session ends.

    One upsert, so two processes making the first token at once both win.
    """
    token = secrets.token_hex(16)
    statement = (
        insert(AdminLogin.__table__)
        .values(username=username, session_token=token)
        .on_conflict_do_update(
            index_elements=["username"], set_={"session_token": token}
        )
    )
    with transaction():
        run(statement)
    return token
