"""The one form of a nickname and of an address that the site compares.

Each account stores both keys, computed here in Python, under unique
indexes; every lookup, count and lockout uses them. The database's own
``lower()`` decides nothing: it folds ASCII only on SQLite and follows the
cluster's locale on PostgreSQL (``lower('alİce')`` is ``alice`` there),
so two rules would give two answers.
"""

from email_validator import EmailNotValidError, validate_email

# Flask-Mail sends with plain SMTP: an address needs an ASCII local part.
# The domain may be international; it is sent IDNA-encoded.
RULES = {"check_deliverability": False, "allow_smtputf8": False}


def nickname_key(nickname):
    """The key of ``nickname``: in lower case, if it is ASCII.

    Registration takes only ASCII letters, digits and underscores, so any
    other text is kept as typed: it names no account, and it is locked out
    on its own, never as a look-alike of a real account.
    """
    return nickname.lower() if nickname.isascii() else nickname


def address(text):
    """``text`` as the site stores and shows it: the domain normalized
    (UTS-46: ``ｅxample。com`` is ``example.com``), the local part as typed.

    Raises ``EmailNotValidError``, whose message says why, for text the
    mail path cannot send to (a non-ASCII local part among others).
    """
    return validate_email(text, **RULES).normalized


def email_key(text):
    """The key of an address: as it is sent (the domain IDNA-encoded), in
    lower case, as nearly every mail system delivers it.

    ``VICTIM@ＥＸＡＭＰＬＥ.com`` and ``victim@example.com`` share one key,
    hence one account. Text the mail path cannot send to (only accounts
    older than this check can hold it) keeps its own text in lower case.
    """
    try:
        return validate_email(text, **RULES).ascii_email.lower()
    except EmailNotValidError:
        return text.lower()
