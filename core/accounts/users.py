"""The users table: the queries both apps need."""

import sqlite3

from werkzeug.security import check_password_hash, generate_password_hash

from core.db import get_db


class NicknameTaken(Exception):
    """Raised when a nickname is already registered (in any letter case)."""


def create_user(nickname, email, password):
    """Insert a user and return its id; raise NicknameTaken if the name is used."""
    try:
        cursor = get_db().execute(
            "INSERT INTO user (nickname, email, password_hash) VALUES (?, ?, ?)",
            (nickname, email, generate_password_hash(password)),
        )
    except sqlite3.IntegrityError as error:
        raise NicknameTaken(nickname) from error
    return cursor.lastrowid


def get_user(user_id):
    """Return the user row with ``user_id``, or None."""
    return get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()


def find_user(nickname):
    """Return the user row named ``nickname`` (any letter case), or None."""
    return (
        get_db()
        .execute("SELECT * FROM user WHERE nickname = ?", (nickname,))
        .fetchone()
    )


def authenticate(nickname, password):
    """Return the user row if the nickname and password match, else None."""
    user = find_user(nickname)
    if user is not None and check_password_hash(user["password_hash"], password):
        return user
    return None


def list_users():
    """Return every user, oldest first, with ``followers`` and ``following``."""
    return (
        get_db()
        .execute(
            "SELECT user.*,"
            " (SELECT count(*) FROM follow WHERE followed_id = user.id) AS followers,"
            " (SELECT count(*) FROM follow WHERE follower_id = user.id) AS following"
            " FROM user ORDER BY id"
        )
        .fetchall()
    )
