"""Who follows whom."""

from core.db import get_db


def follow(db, follower_id, followed_id):
    """Add the follow in the caller's transaction; tell whether it is new."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO follow (follower_id, followed_id) VALUES (?, ?)",
        (follower_id, followed_id),
    )
    return cursor.rowcount == 1


def unfollow(follower_id, followed_id):
    """Remove the follow; tell whether there was one."""
    cursor = get_db().execute(
        "DELETE FROM follow WHERE follower_id = ? AND followed_id = ?",
        (follower_id, followed_id),
    )
    return cursor.rowcount == 1


def is_following(follower_id, followed_id):
    """Tell whether one user follows the other."""
    row = (
        get_db()
        .execute(
            "SELECT 1 FROM follow WHERE follower_id = ? AND followed_id = ?",
            (follower_id, followed_id),
        )
        .fetchone()
    )
    return row is not None


def counts(user_id):
    """Return (followers, following) of a user."""
    return (
        get_db()
        .execute(
            "SELECT (SELECT count(*) FROM follow WHERE followed_id = ?),"
            " (SELECT count(*) FROM follow WHERE follower_id = ?)",
            (user_id, user_id),
        )
        .fetchone()
    )
