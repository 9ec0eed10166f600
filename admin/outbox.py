"""The admin's view of the outbox, and retrying a failed message."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from core.mail import outbox, workers

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
def index():
    """List every message with its status, attempts and last error."""
    return render_template("admin/outbox/index.html", messages=outbox.list_messages())


@bp.post("/outbox/<int:message_id>/retry")
def retry(message_id):
    """Make a failed message due again now."""
    if not outbox.retry_failed(message_id):
        abort(409, description=f"Message {message_id} is not a failed message.")
    workers.wake_all()  # the frontend's delivery threads, if they run here
    flash(f"Message {message_id} will be sent again.")
    return redirect(url_for(".index"))
