"""Registering, logging in and out of the frontend (Flask-Login sessions)."""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from core.accounts import names, passwords, sessions, users
from core.db import transaction
from core.redirects import redirect_next
from core.throttle import logins
from frontend import limits, notify
from frontend.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)
login_manager = LoginManager()  # the frontend's own; the admin has another
login_manager.login_view = "auth.login"


class User(UserMixin):
    """The logged-in user, as Flask-Login sees it."""

    def __init__(self, user, token):
        self.id = user.id
        self.nickname = user.nickname
        self.email = user.email
        self.token = token

    def get_id(self):
        """The id kept in the session: the user's, and their session token."""
        return f"{self.id}:{self.token}"


@login_manager.user_loader
def load_user(session_id):
    """Return the session's user, or None if it no longer exists or its
    session token was replaced (a logout)."""
    user_id, _, token = session_id.partition(":")
    try:
        user = users.get_user(int(user_id))
    except ValueError:  # not an id this site ever issued
        return None
    if user is None or not sessions.same(token, user.session_token):
        return None
    return User(user, token)


def log_in(user):
    """Log ``user`` in: a session with their token, and a fresh CSRF token."""
    session.pop("csrf_token", None)  # the token of the anonymous visitor
    login_user(User(user, sessions.user_token(user.id)))


def already_in():
    """Send a logged-in user from the login or register page to their profile."""
    flash(f"You are logged in as {current_user.nickname}.", "info")
    return redirect(url_for("user.profile", nickname=current_user.nickname))


@bp.route("/register", methods=["GET", "POST"])
@limits.register
def register():
    """Create an account, log into it, and mail the link that confirms it."""
    if current_user.is_authenticated:
        return already_in()
    form = RegisterForm()
    if form.validate_on_submit() and address_is_free(form):
        # Hashed first: inside the transaction it would hold the write lock.
        password_hash = passwords.hash_password(form.password.data)
        try:
            with transaction():  # the account and its confirmation, or neither
                user = users.create_user(
                    form.nickname.data, form.email.data, password_hash
                )
                notify.enqueue_confirmation(user)
        except users.AccountTaken:  # taken a moment ago, by another request
            form.nickname.errors.append("That nickname or address was just taken.")
        else:
            log_in(user)
            flash(
                f"Welcome, {user.nickname}! Open the link we sent to {user.email}.",
                "success",
            )
            return redirect(url_for("user.profile", nickname=user.nickname))
    status = 400 if form.errors else 200
    return render_template("frontend/auth/register.html", form=form), status


def address_is_free(form):
    """Tell whether the nickname and the address are free; say which is not."""
    if users.find_user(form.nickname.data) is not None:
        form.nickname.errors.append("That nickname is already taken.")
    if users.find_by_email(form.email.data) is not None:
        form.email.errors.append("That address has an account already.")
    return not (form.nickname.errors or form.email.errors)


@bp.route("/login", methods=["GET", "POST"])
@limits.login
def login():
    """Log in, then go to the local ``next`` URL or the home page; failures
    lock the account a while (``core.throttle.lockout``)."""
    if current_user.is_authenticated:
        return already_in()
    form = LoginForm()
    nickname, password = form.nickname.data, form.password.data
    user, status, headers = logins.attempt(
        limits.limiter, form, names.nickname_key(nickname or ""),
        passwords.authenticate, nickname, password,
        wrong="Wrong nickname or password.",
    )  # fmt: skip
    if user is not None:
        log_in(user)
        flash(f"Logged in as {user.nickname}.", "success")
        return redirect_next("main.index")
    return render_template("frontend/auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    """Log out of the frontend (the admin session is untouched); every copy
    of this user's session cookie ends with it."""
    if current_user.is_authenticated:
        sessions.renew_user_token(current_user.id)
    logout_user()
    flash("Logged out.", "success")
    return redirect(url_for("main.index"))
