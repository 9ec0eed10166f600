"""HTML error pages: each app renders its own ``<app>/error.html``; a
database that is locked or away gets a 503 page that says so."""

from flask import current_app, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import ServiceUnavailable

from core import links

PAGES = (400, 404, 405, 409, 413, 429, 500, 503)
RETRY_SECONDS = 30  # a busy database: a backup, a migration, a restart


def render_error(error):
    """Render the active app's error page, keeping the error's headers.

    A request whose Host is not trusted has no URL adapter, so no page with
    links can be built for it: it gets one plain line, which repeats nothing
    it sent.
    """
    # get_response keeps headers such as 405's Allow; only the body changes.
    response = error.get_response()
    if request_ctx.url_adapter is None:
        response.set_data(
            f"{error.code} {error.name}: this site does not answer there.\n"
        )
        response.mimetype = "text/plain"
        return response
    template = f"{current_app.name}/error.html"
    if error.code >= 500:
        # A server error may be the database's, or the session store's: its
        # page must need neither. Flask-Login's context processor loads the
        # user (from the database) for every render_template, so this page
        # skips context processors, and the layout (minimal) leaves the user
        # and the flashed messages (the session) out.
        page = current_app.jinja_env.get_template(template)
        response.set_data(page.render(error=error, minimal=True))
        return response
    response.set_data(render_template(template, error=error, **what_was_asked(error)))
    return response


def what_was_asked(error):
    """For a 404 or 405: the methods the URL answers, and a link to the
    site's routing page following this very request (None where the site
    has none)."""
    if error.code not in (404, 405):
        return {}
    path = links.own_mount() + request.path
    method = {"method": "POST"} if request.method == "POST" else {}
    return {
        "allowed": getattr(error, "valid_methods", None),
        "explain": links.site_url("routing", path=path, **method),
    }


def database_unavailable(error):
    """Answer 503 (with Retry-After) when the database is locked or away: its
    transaction was never committed, so nothing of the request happened."""
    current_app.logger.warning("database unavailable: %s", error.orig)
    busy = ServiceUnavailable(
        "The database is busy: nothing was changed. Try again in a moment.",
        retry_after=RETRY_SECONDS,
    )
    return render_error(busy)


def init_app(app):
    """Register the error pages of ``app``."""
    for code in PAGES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(OperationalError, database_unavailable)
