"""User profiles."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from core.accounts import users

bp = Blueprint("user", __name__, url_prefix="/user")


@bp.get("/")
def index():
    """Send ``/user/`` to the list of users (``main.index``: same name, other bp)."""
    return redirect(url_for("main.index"))


@bp.get("/<nickname>")
def profile(nickname):
    """Show a user's profile, or the 404 page if there is no such user."""
    viewer = current_user.id if current_user.is_authenticated else None
    user = users.profile(nickname, viewer)
    if user is None:
        abort(404, description=f"There is no user named {nickname!r}.")
    return render_template("frontend/user/profile.html", user=user)
