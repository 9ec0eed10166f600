"""Render an email, its text and HTML parts, with links to the public site.

An email's links must not come from the request's Host header (anyone can
send any Host) and must work outside any request (a digest, a CLI command).
So each email is rendered inside a request context of the active app bound
to ``PUBLIC_URL``: inside a request it is nested in it, and ``url_for``
uses the innermost request's URL adapter, that is, the public URL's.
"""

from contextlib import contextmanager

from flask import current_app, render_template, url_for


@contextmanager
def public_site():
    """A request context of the active app at ``PUBLIC_URL``."""
    app = current_app._get_current_object()
    with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        yield


def public_url_for(endpoint, **values):
    """The absolute URL of ``endpoint`` on the public site."""
    with public_site():
        return url_for(endpoint, _external=True, **values)


def render_email(template, **context):
    """Return (text, html) of ``email/<template>.txt`` and ``.html``."""
    with public_site():
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return text, html
