"""Text the database cannot store: a NUL character.

PostgreSQL refuses it in every text column (``psycopg.DataError``, a 500 if
it got that far); SQLite keeps it. So a request whose URL variables or form
fields hold one gets a 400 before any view reads them, on either database.
"""

from flask import abort, request


def refuse_nul():
    """Answer 400 if a URL variable or a form field holds a NUL character."""
    fields = (value for _, values in request.form.lists() for value in values)
    for value in [*(request.view_args or {}).values(), *fields]:
        if isinstance(value, str) and "\x00" in value:
            abort(400, description="The request holds a NUL character.")


def init_app(app):
    """Check every request of ``app`` before its views run."""
    app.before_request(refuse_nul)
