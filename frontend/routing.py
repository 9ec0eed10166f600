"""How a URL finds its view: a public page that follows any typed path
through the site's dispatcher to its rule, endpoint and view."""

from flask import Blueprint, render_template, request

from core.redirects import path_asked
from core.routing import links
from core.routing.resolve import resolve

bp = Blueprint("routing", __name__)


@bp.get("/routing")
def index():
    """Follow ``?path=`` (GET, or ``?method=POST``) through the site."""
    # An admin page by default, if the site has an admin.
    path = path_asked("/admin/users" if "/admin" in links.mounts() else "/user/alice")
    method = "POST" if request.args.get("method") == "POST" else "GET"
    return render_template(
        "frontend/routing/index.html",
        path=path,
        method=method,
        routing=resolve(links.site_wsgi(), path, method, links.base_url()),
        examples=links.linking_examples("/admin", "users.index"),
    )
