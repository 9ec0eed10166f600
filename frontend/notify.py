"""The follower email, rendered inside the request and put in the outbox."""

from flask import current_app, render_template, request

from core.mail import outbox


def enqueue_follower_email(follower, followed):
    """Render the email telling ``followed`` about ``follower``; add it to the
    outbox in the caller's transaction.

    Rendered here, in the request, so its absolute links carry the host and
    mount prefix the visitor used; the sender thread only delivers it.
    """
    context = {"follower": follower, "user": followed}
    return outbox.enqueue(
        from_address=current_app.config["MAIL_DEFAULT_SENDER"],
        recipient=followed.email,
        subject=f"{follower.nickname} is now following you",
        body=render_template("email/follower.txt", **context),
        html=render_template("email/follower.html", **context),
        domain=request.host.partition(":")[0],
    )
