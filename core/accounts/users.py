"""The users: registering, finding, authenticating, listing, and a profile.

The queries are Core statements built once, with bound parameters, and run
by ``core.db.run``: each page's reads stay cheap.
"""

from sqlalchemy import bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from core.accounts.models import Follow, User
from core.db import run, transaction

FIELDS = (User.id, User.nickname, User.email, User.created_at)
FOLLOWERS = select(func.count()).where(Follow.followed_id == User.id)
FOLLOWING = select(func.count()).where(Follow.follower_id == User.id)

INSERT = insert(User).returning(*FIELDS)
BY_ID = select(*FIELDS).where(User.id == bindparam("id"))
BY_NICKNAME = select(*FIELDS, User.password_hash).where(
    func.lower(User.nickname) == func.lower(bindparam("nickname"))
)
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
).where(func.lower(User.nickname) == func.lower(bindparam("nickname")))


class NicknameTaken(Exception):
    """Raised when a nickname is already registered (in any letter case)."""


def create_user(nickname, email, password):
    """Add a user and return it; raise NicknameTaken if the name is used."""
    values = {
        "nickname": nickname,
        "email": email,
        "password_hash": generate_password_hash(password),
    }
    try:
        with transaction():
            return run(INSERT, **values).one()
    except IntegrityError as error:
        raise NicknameTaken(nickname) from error


def get_user(user_id):
    """Return the user with ``user_id``, or None."""
    return run(BY_ID, id=user_id).first()


def find_user(nickname):
    """Return the user named ``nickname`` (any letter case), or None."""
    return run(BY_NICKNAME, nickname=nickname).first()


def authenticate(nickname, password):
    """Return the user if the nickname and password match, else None."""
    user = find_user(nickname)
    if user is not None and check_password_hash(user.password_hash, password):
        return user
    return None


def list_users():
    """Every user, oldest first, with ``followers`` and ``following`` counts."""
    return run(EVERYONE).all()


def profile(nickname, viewer_id=None):
    """The user named ``nickname`` with their counts, and whether the viewer
    follows them (``viewer_follows``), in one query; None if there is none."""
    return run(PROFILE, nickname=nickname, viewer=viewer_id).first()
