"""Who follows whom."""

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from core.accounts.models import Follow
from core.db import transaction
from core.extensions import db


def follow(follower_id, followed_id):
    """Add the follow in the session's open transaction; tell whether it is new.

    A follow that exists already is left alone, even when two requests add
    it at the same moment (ON CONFLICT DO NOTHING, on either backend).
    """
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    statement = (
        insert(Follow.__table__)
        .values(follower_id=follower_id, followed_id=followed_id)
        .on_conflict_do_nothing()
        .returning(Follow.follower_id)  # a row only if it was inserted
    )
    return db.session.execute(statement).first() is not None


def unfollow(follower_id, followed_id):
    """Remove the follow; tell whether there was one."""
    with transaction() as session:
        result = session.execute(
            delete(Follow).where(
                Follow.follower_id == follower_id, Follow.followed_id == followed_id
            )
        )
    return result.rowcount == 1


def is_following(follower_id, followed_id):
    """Tell whether one user follows the other."""
    query = exists().where(
        Follow.follower_id == follower_id, Follow.followed_id == followed_id
    )
    return db.session.scalar(select(query))


def counts(user_id):
    """Return (followers, following) of a user, in one query."""
    followers = select(func.count()).where(Follow.followed_id == user_id)
    following = select(func.count()).where(Follow.follower_id == user_id)
    query = select(followers.scalar_subquery(), following.scalar_subquery())
    return tuple(db.session.execute(query).one())
