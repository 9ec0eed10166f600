"""The follower email, rendered in the request and put in the outbox."""

from flask import current_app

from core.mail import outbox
from core.mail.compose import render_email


def enqueue_follower_email(follower, followed):
    """Render the email telling ``followed`` about ``follower``; add it to the
    outbox in the caller's transaction (written with the follow, or not at all).
    """
    text, html = render_email("follower", follower=follower, user=followed)
    return outbox.enqueue(
        from_address=current_app.config["MAIL_DEFAULT_SENDER"],
        recipient=followed.email,
        subject=f"{follower.nickname} is now following you",
        body=text,
        html=html,
    )
