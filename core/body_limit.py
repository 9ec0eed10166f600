"""A request body past ``MAX_CONTENT_LENGTH`` is refused, chunked or not.

With a Content-Length, Werkzeug answers 413 before reading a byte. A chunked
body has none: Werkzeug then reads up to the limit and stops there without
a word, so a form cut at 64 KiB would be parsed and acted on. Here such a
body is read up to the limit (kept for the form parser) before any view or
extension reads it, and one more byte from the server's stream decides: if
there is one, 413.
"""

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge


def refuse_long_chunked_body():
    """Answer 413 if a body without Content-Length goes past the limit."""
    environ = request.environ
    if request.content_length is not None or "wsgi.input_terminated" not in environ:
        return
    if request.max_content_length is None:
        return
    request.get_data(cache=True)  # up to the limit; request.form reads this copy
    if environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def init_app(app):
    """Check each request's body before anything else of ``app`` reads it."""
    app.before_request(refuse_long_chunked_body)
