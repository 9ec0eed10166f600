"""Flask's signed-cookie sessions, with a Secure cookie whenever it is due."""

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Set Secure on the session cookie when ``SESSION_COOKIE_SECURE`` says so,
    and whenever the request came over HTTPS (behind a proxy, as ProxyFix
    reports it): a cookie sent over HTTPS must never travel in clear text."""

    def get_cookie_secure(self, app):
        """Whether the session cookie gets the Secure attribute."""
        configured = super().get_cookie_secure(app)
        return configured or (has_request_context() and request.is_secure)
