"""The security headers on every response of both apps, in one place.

The Content-Security-Policy allows only the site's own files: the pages have
no inline script or style (the browser tests check that nothing is blocked).
No page may be framed; admin pages are never cached; over HTTPS the browser
is told to use nothing else from then on.
"""

import base64
import hashlib

from flask import current_app, request, url_for

CSP = "; ".join(
    [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


def toolbar_csp():
    """The policy with what Flask-DebugToolbar needs, in debug mode only: its
    one inline script (allowed by its hash, which names this app's toolbar
    path) and the style attributes of its markup."""
    path = url_for("_debug_toolbar.static", filename="")
    script = f"var DEBUG_TOOLBAR_STATIC_PATH = '{path}'"
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return (
        f"{CSP}; script-src 'self' 'sha256-{digest}'; "
        "style-src 'self'; style-src-attr 'unsafe-inline'"
    )


def add_security_headers(response):
    """Add the headers to ``response`` (those a view set itself stay)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP 2
    debugging = current_app.debug and current_app.config.get("DEBUG_TB_ENABLED")
    headers.setdefault("Content-Security-Policy", toolbar_csp() if debugging else CSP)
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["CACHE_NO_STORE"]:
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000")
    return response


def init_app(app):
    """Add the headers to every response of ``app``, error pages included."""
    app.after_request(add_security_headers)
