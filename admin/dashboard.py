"""The admin's dashboard, its context page, and its ``hello``."""

from flask import Blueprint, render_template

from core.context_page import context_response

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """Show the dashboard."""
    return render_template("admin/dashboard/index.html")


@bp.get("/context")
def context():
    """Describe this request as the admin sees it, with its push/pop trace."""
    return context_response(shared="hello")


def hello():
    """Greet the admin; registered on the app as the endpoint ``hello``."""
    return render_template("admin/hello.html")
