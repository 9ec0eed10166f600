"""The admin login: one account, from configuration, guarding every page."""

import hashlib
import hmac
import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from admin.forms import LoginForm
from core.accounts import sessions
from core.redirects import redirect_next
from core.throttle import limiter as throttle
from core.throttle import logins

bp = Blueprint("auth", __name__)
login_manager = LoginManager()  # the admin's own; the frontend has another
login_manager.login_view = "auth.login"
limiter = throttle.new_limiter()  # the admin's own; the frontend has another

# The debug toolbar's files (debug only) load on the login page too. Logging
# out needs no login (a session already ended gets "Logged out."), as on the
# frontend.
PUBLIC_ENDPOINTS = {"auth.login", "auth.logout", "static", "_debug_toolbar.static"}


class Admin(UserMixin):
    """The logged-in admin, as Flask-Login sees it."""

    def __init__(self, username, token):
        self.id = username
        self.token = token

    def get_id(self):
        """The id kept in the session: the username, the session token, and
        a fingerprint of the password hash (a new hash ends every session)."""
        return f"{self.id}:{self.token}:{password_fingerprint()}"


def password_fingerprint():
    """A digest of the configured admin password hash ("" if none is set)."""
    password_hash = current_app.config["ADMIN_PASSWORD_HASH"] or ""
    return (
        hashlib.sha256(password_hash.encode()).hexdigest()[:32] if password_hash else ""
    )


@login_manager.user_loader
def load_admin(session_id):
    """Accept the session only for the configured admin, with the current
    session token and password hash."""
    username, _, rest = session_id.partition(":")
    token, _, fingerprint = rest.partition(":")
    if username != current_app.config["ADMIN_USERNAME"]:
        return None
    if not sessions.same(fingerprint, password_fingerprint()):
        return None  # the password was changed since
    if not sessions.same(token, sessions.stored_admin_token(username)):
        return None  # logged out since
    return Admin(username, token)


def needs_login(endpoint):
    """Tell whether ``endpoint`` needs the admin (all but the login page)."""
    return endpoint not in PUBLIC_ENDPOINTS


@bp.before_app_request
def require_login():
    """Send anyone not logged in to the login page (routing errors pass)."""
    if request.endpoint is None or not needs_login(request.endpoint):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def check_credentials(username, password):
    """Tell whether the username and password are the configured admin's."""
    password_hash = current_app.config["ADMIN_PASSWORD_HASH"]
    if not password_hash:
        return False
    expected = current_app.config["ADMIN_USERNAME"]
    same_name = hmac.compare_digest(username.encode(), expected.encode())
    return check_password_hash(password_hash, password) and same_name


def ensure_credentials(app):
    """Give ``app`` a random admin password if none is configured; return it.

    Returns None when a password hash is configured already.
    """
    if app.config["ADMIN_PASSWORD_HASH"]:
        return None
    password = secrets.token_urlsafe(12)
    method = app.config["PASSWORD_HASH_METHOD"]
    app.config["ADMIN_PASSWORD_HASH"] = generate_password_hash(password, method=method)
    return password


@bp.route("/login", methods=["GET", "POST"])
@logins.client_limit(limiter)
def login():
    """Log in as the admin, then go to the local ``next`` URL or the
    dashboard; failures lock the account a while (``core.throttle.lockout``)."""
    if current_user.is_authenticated:
        return redirect_next("dashboard.index")
    form = LoginForm()
    configured = bool(current_app.config["ADMIN_PASSWORD_HASH"])
    username, password = form.username.data, form.password.data
    right, status, headers = logins.attempt(
        limiter, form, username or "", check_credentials, username, password,
        wrong="Wrong username or password.",
    )  # fmt: skip
    if right:
        session.pop("csrf_token", None)  # the anonymous visitor's token
        login_user(Admin(username, sessions.admin_token(username)))
        flash("Logged in as admin.", "success")
        return redirect_next("dashboard.index")
    page = render_template("admin/auth/login.html", form=form, configured=configured)
    return page, status, headers


@bp.post("/logout")
def logout():
    """Log out of the admin (the frontend session is untouched); every copy
    of the admin's session cookie ends with it."""
    if current_user.is_authenticated:
        sessions.renew_admin_token(current_user.id)
    logout_user()
    flash("Logged out.", "success")
    return redirect(url_for("auth.login"))
