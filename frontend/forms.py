"""The frontend's forms; each renders a hidden ``csrf_token`` field."""

import unicodedata

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length, Regexp

from core.accounts import names


def tidy(value):
    """What a user meant to type: trimmed, in Unicode's composed form (NFC)."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value.strip())


# \Z, not $: "$" also matches before a final newline, so "alice\n" passed.
NICKNAME = Regexp(
    r"\A[A-Za-z0-9_]+\Z", message="Use only letters, digits and underscores."
)


class RegisterForm(FlaskForm):
    """Sign up with a nickname, an email address and a password."""

    nickname = StringField(
        "Nickname",
        filters=[tidy],
        validators=[InputRequired(), Length(3, 32), NICKNAME],
    )
    # What the site can mail to (``core.accounts.names``): the message says
    # what is wrong, for example a non-ASCII character before the "@".
    email = EmailField(
        "Email",
        filters=[tidy],
        validators=[
            InputRequired(),
            Email(granular_message=True, **names.RULES),
            Length(max=254),
        ],
    )
    password = PasswordField("Password", validators=[InputRequired(), Length(8, 128)])


class LoginForm(FlaskForm):
    """Log in with a nickname and a password."""

    nickname = StringField("Nickname", filters=[tidy], validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])


class SettingsForm(FlaskForm):
    """What the site may email a user."""

    notify_followers = BooleanField("Email me when someone follows me")
