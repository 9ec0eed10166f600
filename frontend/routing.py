"""How a URL finds its view: a public page that follows any typed path
through the site's dispatcher to its rule, endpoint and view."""

from flask import Blueprint, abort, render_template, request

from core.redirects import is_local_url
from core.routing import links
from core.routing.resolve import resolve

bp = Blueprint("routing", __name__)


def typed_path():
    """The ``?path=`` asked about (an admin page by default, if there is one)."""
    default = "/admin/users" if "/admin" in links.mounts() else "/user/alice"
    path = request.args.get("path", "").strip() or default
    if not is_local_url(path):  # "//host", "//[", control characters...
        abort(400, description="The path must be a path on this site, like /hello.")
    return path


@bp.get("/routing")
def index():
    """Follow ``?path=`` (GET, or ``?method=POST``) through the site."""
    path = typed_path()
    method = "POST" if request.args.get("method") == "POST" else "GET"
    base_url = request.host_url.rstrip("/") + links.site_root() + "/"
    return render_template(
        "frontend/routing/index.html",
        path=path,
        method=method,
        routing=resolve(links.site_wsgi(), path, method, base_url),
        examples=links.linking_examples("/admin", "users.index"),
    )
