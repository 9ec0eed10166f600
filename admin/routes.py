"""The route explorer: every route of every app of the site, and how a typed
path finds its view."""

from itertools import groupby

from flask import Blueprint, render_template
from flask_lens import routes

from core import links

bp = Blueprint("routes", __name__)


def grouped(found):
    """The routes as [(app, [(blueprint, [route, ...]), ...]), ...], in order."""
    return [
        (app, [(bp, list(rs)) for bp, rs in groupby(list(app_routes), _blueprint)])
        for app, app_routes in groupby(found, lambda route: route.app)
    ]


def _blueprint(route):
    return route.blueprint or "(the app itself)"


@bp.get("/routes")
def index():
    """Every route of the site, grouped by app and blueprint, with links."""
    found = routes(links.site_wsgi())
    return render_template(
        "admin/routes/index.html",
        groups=grouped(found),
        count=len(found),
        root=links.site_root(),
    )
