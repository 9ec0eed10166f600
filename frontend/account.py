"""A user's own account: confirming the address, settings, unsubscribing."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from core.accounts import names, tokens, users
from core.db import transaction
from core.extensions import csrf
from frontend import limits, notify
from frontend.forms import SettingsForm

bp = Blueprint("account", __name__)


def message(title, text, status=200):
    """A page that says one thing, with a status."""
    page = render_template("frontend/account/message.html", title=title, text=text)
    return page, status


@bp.get("/confirm/<token>")
def confirm(token):
    """Confirm an address from the emailed link, in any browser."""
    try:
        user_id, email = tokens.read_confirmation(token)
    except tokens.ExpiredToken:
        text = "Log in and send yourself a new link from your settings."
        return message("This link has expired", text, 400)
    except tokens.InvalidToken:
        return message("This link is not valid", "Check that it was copied whole.", 400)
    if users.confirm_email(user_id, email):
        text = f"{email} is confirmed. You can now get emails when people follow you."
        return message("Thank you", text)
    user = users.get_user(user_id)
    if user is not None and user.email_key == names.email_key(email):
        return message("Already confirmed", f"{email} was confirmed before.")
    return message(
        "This link is out of date", f"{email} is no longer on that account.", 400
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Turn follower emails on or off; see whether the address is confirmed."""
    user = users.get_user(current_user.id)
    form = SettingsForm(data={"notify_followers": user.notify_followers})
    if form.validate_on_submit():
        users.update_user(user.id, notify_followers=form.notify_followers.data)
        flash("Your settings are saved.", "success")
        return redirect(url_for(".settings"))
    return settings_page(user, form)


def settings_page(user, form=None):
    """The settings page of ``user``: ``form`` as submitted, else filled from
    what is stored (never from another form's POST, such as a resend)."""
    if form is None:
        stored = {"notify_followers": user.notify_followers}
        form = SettingsForm(formdata=None, data=stored)
    return render_template("frontend/account/settings.html", form=form, user=user)


@bp.post("/settings/confirmation")
@login_required
@limits.resend_client
@limits.resend_account
def resend_confirmation():
    """Send the confirmation link again, at most once in CONFIRM_RESEND_SECONDS."""
    user = users.get_user(current_user.id)
    wait = current_app.config["CONFIRM_RESEND_SECONDS"]
    if user.email_confirmed_at is not None:
        flash("Your address is confirmed already.", "success")
        return redirect(url_for(".settings"))
    with transaction():  # the time is noted with the email, or neither
        sent = notify.enqueue_confirmation(user, unless_since=time.time() - wait)
    if not sent:
        flash(
            f"A link was sent less than {wait // 60} minutes ago: look for it "
            "(and in your spam folder), or try again later.",
            "warning",
        )
        return settings_page(user), 429
    flash(f"We sent a new link to {user.email}.", "success")
    return redirect(url_for(".settings"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # one click from a mail client (RFC 8058) carries no CSRF token;
# the signed token is the proof, and the only thing it can do is turn mail off
def unsubscribe(token):
    """GET: ask (link scanners must change nothing); POST: turn follower emails off."""
    try:
        user_id = tokens.read_unsubscribe(token)
    except tokens.InvalidToken:
        text = (
            "Check that it was copied whole, or log in and turn follower "
            "emails off in your settings."
        )
        return message("This unsubscribe link is not valid", text, 400)
    user = users.get_user(user_id)
    if user is None:
        text = "Its account was deleted: it gets no more email."
        return message("This account no longer exists", text, 404)
    if request.method == "POST":
        users.update_user(user.id, notify_followers=False)
        text = f"You will get no more follower emails at {user.email}."
        return message("Unsubscribed", text)
    return render_template("frontend/account/unsubscribe.html", user=user)
