"""The admin's list of users."""

from flask import Blueprint, render_template

from core.accounts.users import list_users

bp = Blueprint("users", __name__)


@bp.get("/users")
def index():
    """List every user with their follower counts."""
    return render_template("admin/users/index.html", users=list_users())
