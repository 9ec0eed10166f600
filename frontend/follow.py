"""Following and unfollowing users: POST with a CSRF token; a GET (a link
opened in the address bar) gets a page with the button to press."""

from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from core.accounts import follows, users
from core.accounts.users import find_user
from core.db import transaction
from frontend import limits, notify

bp = Blueprint("follow", __name__)


def other_user(nickname):
    """The user to (un)follow: 404 if unknown, 400 if it is the visitor."""
    user = find_user(nickname)
    if user is None:
        abort(404, description=f"There is no user named {nickname!r}.")
    if user.id == current_user.id:
        abort(400, description="You cannot follow or unfollow yourself.")
    return user


def to_profile(user):
    """Redirect to ``user``'s profile."""
    return redirect(url_for("user.profile", nickname=user.nickname))


def login_first(view):
    """Send a visitor who is not logged in to log in, then back to the
    profile (not to this POST-only URL)."""

    @wraps(view)
    def wrapper(nickname):
        if not current_user.is_authenticated:
            flash("Log in to follow people.", "warning")
            profile = url_for("user.profile", nickname=nickname)
            return redirect(url_for("auth.login", next=profile))
        return view(nickname)

    wrapper.login_required = True  # what the route explorer shows
    return wrapper


@bp.get("/follow/<nickname>", endpoint="ask_follow", defaults={"action": "follow"})
@bp.get(
    "/unfollow/<nickname>", endpoint="ask_unfollow", defaults={"action": "unfollow"}
)
def ask(nickname, action):
    """The page behind a follow link opened in the address bar: a GET changes
    nothing, so it shows the button that does (or says it is done already)."""
    viewer = current_user.id if current_user.is_authenticated else None
    user = users.profile(nickname, viewer)
    if user is None:
        abort(404, description=f"There is no user named {nickname!r}.")
    done = user.viewer_follows == (action == "follow")
    return render_template(
        "frontend/follow/ask.html", user=user, action=action, done=done
    )


@bp.post("/follow/<nickname>")
@limits.follow_client
@limits.follow_account
@login_first
def follow(nickname):
    """Follow a user, and tell them by email (sent after the request), if
    the rules in ``notify`` allow."""
    user = other_user(nickname)
    with transaction():  # the follow and its email (if any), or neither
        added = follows.follow(current_user.id, user.id)
        if added:
            notify.notify_followed(current_user, user)
    if not added:
        flash(f"You already follow {user.nickname}.", "info")
        return to_profile(user)
    flash(f"You are now following {user.nickname}.", "success")
    return to_profile(user)


@bp.post("/unfollow/<nickname>")
@limits.follow_client
@limits.follow_account
@login_first
def unfollow(nickname):
    """Stop following a user (no email)."""
    user = other_user(nickname)
    if follows.unfollow(current_user.id, user.id):
        flash(f"You no longer follow {user.nickname}.", "success")
    else:
        flash(f"You do not follow {user.nickname}.", "info")
    return to_profile(user)
