"""HTML error pages: each app renders its own ``<app>/error.html``."""

from flask import current_app, render_template

PAGES = (400, 404, 405, 409, 413, 429, 500)


def render_error(error):
    """Render the active app's error page, keeping the error's headers."""
    # get_response keeps headers such as 405's Allow; only the body changes.
    response = error.get_response()
    template = f"{current_app.name}/error.html"
    response.set_data(render_template(template, error=error))
    return response


def init_app(app):
    """Register the error pages of ``app``."""
    for code in PAGES:
        app.register_error_handler(code, render_error)
