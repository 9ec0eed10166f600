"""Who was told about which follower, and when: the follower-email limits.

A notice is written for each follower a user is told about, either with its
own email or held for a digest. The queries here let the frontend decide
what to send; they send nothing.
"""

import time

from sqlalchemy import bindparam, exists, func, select, update

from core.accounts.models import FollowNotice as Notice
from core.accounts.models import User
from core.db import run
from core.extensions import db

RECENT = select(
    exists().where(
        Notice.recipient_id == bindparam("recipient"),
        Notice.follower_id == bindparam("follower"),
        Notice.created_at > bindparam("since"),
    )
)
EMAILED = select(func.count()).where(
    Notice.recipient_id == bindparam("recipient"),
    Notice.created_at > bindparam("since"),
    Notice.in_digest.is_(False),
)
HELD = (
    select(Notice.recipient_id)
    .where(Notice.in_digest.is_(True), Notice.emailed_at.is_(None))
    .group_by(Notice.recipient_id)
    .having(func.min(Notice.created_at) <= bindparam("before"))
)
TAKE = (
    update(Notice)
    .where(
        Notice.recipient_id == bindparam("recipient"),
        Notice.in_digest.is_(True),
        Notice.emailed_at.is_(None),
    )
    .values(emailed_at=bindparam("now"))
    .returning(Notice.follower_id, Notice.created_at)
)


def told_recently(recipient_id, follower_id, since):
    """Tell whether the recipient was told about this follower after ``since``."""
    return run(
        RECENT, recipient=recipient_id, follower=follower_id, since=since
    ).scalar()


def emails_since(recipient_id, since):
    """How many follower emails of their own the recipient got after ``since``."""
    return run(EMAILED, recipient=recipient_id, since=since).scalar()


def add(recipient_id, follower_id, in_digest):
    """Write a notice in the session's open transaction."""
    now = time.time()
    db.session.add(
        Notice(
            recipient_id=recipient_id,
            follower_id=follower_id,
            created_at=now,
            in_digest=in_digest,
            emailed_at=None if in_digest else now,
        )
    )


def digests_due(before):
    """The ids of users with held notices, the oldest made before ``before``."""
    return run(HELD, before=before).scalars().all()


def take_held(recipient_id):
    """Mark a recipient's held notices as emailed, in the open transaction;
    return their followers (users), oldest first. Two senders never take the
    same notices: the second finds none left."""
    taken = run(TAKE, recipient=recipient_id, now=time.time()).all()
    ids = [row.follower_id for row in sorted(taken, key=lambda row: row.created_at)]
    if not ids:
        return []
    followers = run(select(User.id, User.nickname).where(User.id.in_(ids))).all()
    order = {user_id: n for n, user_id in enumerate(ids)}
    return sorted(followers, key=lambda user: order[user.id])
