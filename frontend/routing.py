"""How a URL finds its view: a public page that follows any typed path
through the site's dispatcher to its rule, endpoint and view."""

from flask import Blueprint, render_template, request
from flask_lens import resolve

from core import links
from core.redirects import path_asked

bp = Blueprint("routing", __name__)


@bp.get("/routing")
def index():
    """Follow ``?path=`` (GET, or ``?method=POST``) through the site."""
    # By default the page the site links to as "admin_users", if it has one.
    path = path_asked(links.site_path("admin_users") or "/user/alice")
    method = "POST" if request.args.get("method") == "POST" else "GET"
    return render_template(
        "frontend/routing/index.html",
        path=path,
        method=method,
        routing=resolve(links.site_wsgi(), path, method, links.base_url()),
        examples=links.linking_examples("admin_users"),
    )
