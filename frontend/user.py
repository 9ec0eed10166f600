"""User profiles."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from core.accounts import follows
from core.accounts.users import find_user

bp = Blueprint("user", __name__, url_prefix="/user")


@bp.get("/")
def index():
    """Send ``/user/`` to the list of users (``main.index``: same name, other bp)."""
    return redirect(url_for("main.index"))


@bp.get("/<nickname>")
def profile(nickname):
    """Show a user's profile, or the 404 page if there is no such user."""
    user = find_user(nickname)
    if user is None:
        abort(404, description=f"There is no user named {nickname!r}.")
    followers, following = follows.counts(user.id)
    is_following = current_user.is_authenticated and follows.is_following(
        current_user.id, user.id
    )
    return render_template(
        "frontend/user/profile.html",
        user=user,
        followers=followers,
        following=following,
        is_following=is_following,
    )
