"""How a URL finds its view: a public page that follows any typed path
through the site's dispatcher to its rule, endpoint and view."""

from flask import Blueprint, render_template
from flask_lens import resolve

from core import links
from core.asked import asked

bp = Blueprint("routing", __name__)


@bp.get("/routing")
def index():
    """Follow ``?path=`` (a path, a URL or an endpoint; GET, or
    ``?method=POST``) through the site; a mistake is explained on the page."""
    # By default the page the site links to as "admin_users", if it has one.
    form = asked(links.site_path("admin_users") or "/user/alice")
    routing = None
    if form.path is not None:
        routing = resolve(links.site_wsgi(), form.path, form.method, links.base_url())
    page = render_template(
        "frontend/routing/index.html",
        form=form,
        routing=routing,
        examples=links.linking_examples("admin_users"),
    )
    return page, 400 if form.problem else 200
