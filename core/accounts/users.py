"""The users: registering, finding, confirming, listing, and a profile.

The queries are Core statements built once, with bound parameters, and run
by ``core.db.run``: each page's reads stay cheap.
"""

import time

from sqlalchemy import bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.accounts import names
from core.accounts.models import Follow, User
from core.db import run, transaction

FIELDS = (
    User.id,
    User.nickname,
    User.email,
    User.email_key,
    User.created_at,
    User.email_confirmed_at,
    User.confirmation_sent_at,
    User.notify_followers,
    User.session_token,
)
FOLLOWERS = select(func.count()).where(Follow.followed_id == User.id)
FOLLOWING = select(func.count()).where(Follow.follower_id == User.id)

INSERT = insert(User).returning(*FIELDS)
BY_ID = select(*FIELDS).where(User.id == bindparam("id"))
BY_NICKNAME = select(*FIELDS, User.password_hash).where(
    User.nickname_key == bindparam("key")
)
BY_EMAIL = select(*FIELDS).where(User.email_key == bindparam("key"))
CONFIRM = (
    update(User)
    .where(
        User.id == bindparam("user_id"),
        User.email_key == bindparam("key"),
        User.email_confirmed_at.is_(None),
    )
    .values(email_confirmed_at=bindparam("now"))
)
SET = update(User).where(User.id == bindparam("user_id"))
CONFIRMATION_DUE = SET.where(
    or_(
        User.confirmation_sent_at.is_(None),
        User.confirmation_sent_at <= bindparam("since"),
    )
).values(confirmation_sent_at=bindparam("now"))
EVERYONE = select(
    *FIELDS,
    FOLLOWERS.scalar_subquery().label("followers"),
    FOLLOWING.scalar_subquery().label("following"),
).order_by(User.id)
PROFILE = select(
    *FIELDS,
    FOLLOWERS.scalar_subquery().label("followers"),
    FOLLOWING.scalar_subquery().label("following"),
    exists()
    .where(Follow.follower_id == bindparam("viewer"), Follow.followed_id == User.id)
    .label("viewer_follows"),
).where(User.nickname_key == bindparam("key"))


class AccountTaken(Exception):
    """The nickname or the address has an account already, by its key."""


def create_user(nickname, email, password_hash):
    """Add a user in the session's open transaction and return it.

    ``password_hash`` comes from ``hash_password``, called before the
    transaction: hashing takes a tenth of a second or more, and on SQLite a
    write transaction holds the database's one write lock.

    ``email`` must be valid (``names.address`` raises otherwise); it is
    stored normalized. Raises AccountTaken if the nickname or the address is
    used, even when two requests take it at the same moment (the unique
    indexes on the keys decide).
    """
    values = {
        "nickname": nickname,
        "nickname_key": names.nickname_key(nickname),
        "email": names.address(email),
        "email_key": names.email_key(email),
        "password_hash": password_hash,
    }
    try:
        return run(INSERT, **values).one()
    except IntegrityError as error:  # the caller's transaction rolls back
        raise AccountTaken(nickname) from error


def get_user(user_id):
    """Return the user with ``user_id``, or None."""
    return run(BY_ID, id=user_id).first()


def find_user(nickname):
    """Return the user named ``nickname`` (by its key), or None."""
    return run(BY_NICKNAME, key=names.nickname_key(nickname)).first()


def find_by_email(email):
    """Return the user whose address is ``email`` (a valid one, by its
    key), or None."""
    return run(BY_EMAIL, key=names.email_key(email)).first()


def confirm_email(user_id, email):
    """Confirm ``email`` (a valid one) for the user if it is still their
    address; tell whether it was confirmed just now."""
    key = names.email_key(email)
    with transaction():
        confirming = run(CONFIRM, user_id=user_id, key=key, now=time.time())
        return confirming.rowcount == 1


def update_user(user_id, **values):
    """Change settings of a user (``notify_followers``)."""
    with transaction():
        run(SET.values(**values), user_id=user_id)


def mark_confirmation_sent(user_id, since):
    """Note that a confirmation link is sent now, unless one was after
    ``since`` (an epoch time); tell whether it was noted.

    One conditional UPDATE: of parallel requests, one sees the old time and
    wins, the others see its new time and are refused.
    """
    with transaction():
        marking = run(CONFIRMATION_DUE, user_id=user_id, since=since, now=time.time())
        return marking.rowcount == 1


def list_users():
    """Every user, oldest first, with ``followers`` and ``following`` counts."""
    return run(EVERYONE).all()


def profile(nickname, viewer_id=None):
    """The user named ``nickname`` with their counts, and whether the viewer
    follows them (``viewer_follows``), in one query; None if there is none."""
    key = names.nickname_key(nickname)
    return run(PROFILE, key=key, viewer=viewer_id).first()
