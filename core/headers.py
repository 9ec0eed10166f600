"""The security headers on every response of both apps, in one place.

The Content-Security-Policy allows only the site's own files: the pages have
no inline script or style (the browser tests check that nothing is blocked).
No page may be framed; admin pages are never cached; over HTTPS the browser
is told to use nothing else from then on.
"""

from flask import current_app, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


def add_security_headers(response):
    """Add the headers to ``response`` (those a view set itself stay)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP 2
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["CACHE_NO_STORE"]:
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000")
    return response


def init_app(app):
    """Add the headers to every response of ``app``, error pages included."""
    app.after_request(add_security_headers)
