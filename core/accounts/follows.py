"""Who follows whom: following and unfollowing (a profile reads the counts)."""

from sqlalchemy import bindparam, delete, exists, select

from core.accounts.models import Follow
from core.db import insert, run, transaction

PAIR = (
    Follow.follower_id == bindparam("follower"),
    Follow.followed_id == bindparam("followed"),
)
UNFOLLOW = delete(Follow).where(*PAIR)
IS_FOLLOWING = select(exists().where(*PAIR))


def follow(follower_id, followed_id):
    """Add the follow in the session's open transaction; tell whether it is new.

    A follow that exists already is left alone, even when two requests add
    it at the same moment (ON CONFLICT DO NOTHING, on either backend).
    """
    statement = (
        insert(Follow.__table__)
        .values(follower_id=follower_id, followed_id=followed_id)
        .on_conflict_do_nothing()
        .returning(Follow.follower_id)  # a row only if it was inserted
    )
    return run(statement).first() is not None


def unfollow(follower_id, followed_id):
    """Remove the follow; tell whether there was one."""
    with transaction():
        result = run(UNFOLLOW, follower=follower_id, followed=followed_id)
    return result.rowcount == 1


def is_following(follower_id, followed_id):
    """Tell whether one user follows the other."""
    return run(IS_FOLLOWING, follower=follower_id, followed=followed_id).scalar()
