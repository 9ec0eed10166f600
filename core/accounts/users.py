"""The users: registering, finding, authenticating and listing them."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from core.accounts.models import Follow, User
from core.db import transaction
from core.extensions import db


class NicknameTaken(Exception):
    """Raised when a nickname is already registered (in any letter case)."""


def create_user(nickname, email, password):
    """Add a user and return it; raise NicknameTaken if the name is used."""
    user = User(
        nickname=nickname, email=email, password_hash=generate_password_hash(password)
    )
    try:
        with transaction() as session:
            session.add(user)
    except IntegrityError as error:
        raise NicknameTaken(nickname) from error
    return user


def get_user(user_id):
    """Return the user with ``user_id``, or None."""
    return db.session.get(User, user_id)


def find_user(nickname):
    """Return the user named ``nickname`` (any letter case), or None."""
    query = select(User).where(func.lower(User.nickname) == nickname.lower())
    return db.session.scalar(query)


def authenticate(nickname, password):
    """Return the user if the nickname and password match, else None."""
    user = find_user(nickname)
    if user is not None and check_password_hash(user.password_hash, password):
        return user
    return None


def list_users():
    """Every user, oldest first, with ``followers`` and ``following`` counts."""
    followers = select(func.count()).where(Follow.followed_id == User.id)
    following = select(func.count()).where(Follow.follower_id == User.id)
    query = select(
        User.id,
        User.nickname,
        User.email,
        User.created_at,
        followers.scalar_subquery().label("followers"),
        following.scalar_subquery().label("following"),
    ).order_by(User.id)
    return db.session.execute(query).all()
