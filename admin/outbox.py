"""The admin's view of the outbox, page by page, and retrying failed messages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from core.mail import housekeeping

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
def index():
    """List the messages, newest first, a page at a time."""
    number = request.args.get("page", 1, type=int)
    size = current_app.config["OUTBOX_PAGE_SIZE"]
    if not 1 <= number <= 10**6:
        abort(404, description="There is no such page.")
    messages, total = housekeeping.page(number, size)
    pages = max(1, -(-total // size))
    if number > pages:
        abort(404, description=f"There are {pages} pages of messages.")
    return render_template(
        "admin/outbox/index.html",
        messages=messages,
        page=number,
        pages=pages,
        total=total,
        failed=housekeeping.count_failed(),
    )


# The largest id any database here can hold: a larger one is no message (404),
# not an overflow (500).
@bp.post("/outbox/<int(max=9223372036854775807):message_id>/retry")
def retry(message_id):
    """Make a failed message due again now."""
    if not housekeeping.retry_failed(message_id):
        abort(409, description=f"Message {message_id} is not a failed message.")
    flash(f"Message {message_id} will be sent again.", "success")
    return redirect(url_for(".index"))


@bp.post("/outbox/retry-failed")
def retry_all():
    """Make every failed message due again now."""
    count = housekeeping.retry_failed()
    plural = "" if count == 1 else "s"
    flash(f"{count} failed message{plural} will be sent again.", "success")
    return redirect(url_for(".index"))
