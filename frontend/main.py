"""The home page, the context page, and the frontend's ``hello``."""

from flask import Blueprint, render_template

from core.accounts.users import list_users
from core.context_page import context_response

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """List the registered users."""
    return render_template("frontend/main/index.html", users=list_users())


@bp.get("/context")
def context():
    """Describe this request as the frontend sees it, with its push/pop trace."""
    return context_response(shared="hello")


def hello():
    """Greet the visitor; registered on the app as the endpoint ``hello``."""
    return render_template("frontend/hello.html")
