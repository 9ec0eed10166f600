"""Hand work to another thread the right way, or run it as one would."""

import contextvars
import threading

from flask import current_app


def start_in_app_context(func, *args, name=None):
    """Run ``func(*args)`` in a new thread, inside an app context of this app.

    Call it where an app context is active; returns the started thread.
    """
    # current_app is a proxy resolved in the thread that reads it, and a new
    # thread starts with no context: hand over the real app object instead.
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            func(*args)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def in_fresh_context(func, *args):
    """Call ``func(*args)`` here, in an empty ``contextvars.Context``, as a new
    thread would: no app, request or trace of the caller is active in it."""
    return contextvars.Context().run(func, *args)
