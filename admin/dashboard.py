"""The admin's dashboard, its context page, and its ``hello``."""

from flask import Blueprint, jsonify, render_template

from core.context import describe_request

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """Show the dashboard."""
    return render_template("admin/dashboard/index.html")


@bp.get("/context")
def context():
    """Describe this request as the admin sees it, as JSON."""
    return jsonify(describe_request())


def hello():
    """Greet the admin; registered on the app as the endpoint ``hello``."""
    return render_template("admin/hello.html")
