"""The emails the frontend sends, and the rules that keep them few.

Nothing but the confirmation goes to an address before it is confirmed. A
user is told about a follower once a day at most (follow, unfollow, follow
again: one email); beyond ``NOTIFY_HOURLY_LIMIT`` emails in
``NOTIFY_WINDOW_SECONDS``, followers are held and sent in one digest when
the window has passed. Every follower email can be turned off in one click.
"""

import time

from flask import current_app

from core.accounts import notices, tokens, users
from core.db import transaction
from core.mail import outbox
from core.mail.compose import public_url_for, render_email


def enqueue_email(user, subject, template, unsubscribe=False, **context):
    """Render ``template`` for ``user`` and add it to the outbox, in the
    caller's transaction; with ``unsubscribe``, add the one-click headers."""
    headers = None
    if unsubscribe:
        link = public_url_for(
            "account.unsubscribe", token=tokens.unsubscribe_token(user)
        )
        context["unsubscribe_url"] = link
        headers = {  # RFC 8058: the mail client can POST to the link itself
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    text, html = render_email(template, user=user, **context)
    return outbox.enqueue(
        from_address=current_app.config["MAIL_DEFAULT_SENDER"],
        recipient=user.email,
        subject=subject,
        body=text,
        html=html,
        headers=headers,
    )


def enqueue_confirmation(user, unless_since=0.0):
    """Send ``user`` the link that confirms their address, in the caller's
    transaction, unless one was sent after ``unless_since`` (an epoch
    time); tell whether it was written."""
    if not users.mark_confirmation_sent(user.id, unless_since):
        return False
    link = public_url_for("account.confirm", token=tokens.confirmation_token(user))
    hours = current_app.config["CONFIRM_MAX_AGE_HOURS"]
    enqueue_email(user, "Confirm your email address", "confirm", link=link, hours=hours)
    return True


def notify_followed(follower, followed):
    """Tell ``followed`` about ``follower`` now, in a digest, or not at all,
    in the follow's transaction; return whether an email was written now."""
    config, now = current_app.config, time.time()
    if followed.email_confirmed_at is None or not followed.notify_followers:
        return False
    repeat = now - config["NOTIFY_REPEAT_HOURS"] * 3600
    if notices.told_recently(followed.id, follower.id, repeat):
        return False
    window = now - config["NOTIFY_WINDOW_SECONDS"]
    held = notices.emails_since(followed.id, window) >= config["NOTIFY_HOURLY_LIMIT"]
    notices.add(followed.id, follower.id, in_digest=held)
    if held:
        return False
    subject = f"{follower.nickname} is now following you"
    enqueue_email(followed, subject, "follower", unsubscribe=True, follower=follower)
    return True


def send_due_digests():
    """Send each user whose held followers have waited a window their digest
    (a periodic job of the delivery threads)."""
    before = time.time() - current_app.config["NOTIFY_WINDOW_SECONDS"]
    for recipient_id in notices.digests_due(before):
        with transaction():
            followers = notices.take_held(recipient_id)
            user = users.get_user(recipient_id)
            if not followers or user is None or not user.notify_followers:
                continue
            subject = f"{len(followers)} new followers"
            enqueue_email(
                user, subject, "digest", unsubscribe=True, followers=followers
            )
