"""Context classes that report their pushes and pops to the tracer, and
how many contexts are bound at each step.

``flask_lens.lifecycle.trace_app`` gives an app these classes. Importing
this module checks that Flask is a version whose contexts it knows
(``flask_lens._flask``).
"""

import sys
from contextvars import Token

from flask.ctx import AppContext, RequestContext

from flask_lens._flask import internals
from flask_lens.tracer import failure, is_recording, record

_cv_app, _cv_request, _sentinel = internals()  # UnsupportedFlask if unknown


def bound():
    """How many contexts Flask has bound in this task (0 when not recording).

    Each binding is followed back, through the token that made it, to the
    one it hid, as Flask's pops will reset them: after a pop in the wrong
    order (which unbinds the contexts above it too), or when recording
    began inside an open context, this is still what is bound.
    """
    if not is_recording():
        return 0
    apps = _chain(_cv_app, lambda ctx: ctx._cv_tokens)
    return apps + _chain(_cv_request, lambda ctx: [t for t, _ in ctx._cv_tokens])


def _chain(var, tokens_of):
    count, seen = 0, {}
    ctx = var.get(None)
    while ctx is not None:
        count += 1
        times = seen[id(ctx)] = seen.get(id(ctx), 0) + 1  # pushed again?
        tokens = tokens_of(ctx)
        if times > len(tokens):
            break  # bound by a token its context no longer holds
        hidden = tokens[-times].old_value
        ctx = None if hidden is Token.MISSING else hidden
    return count


def _push_recorded(ctx, push, kind, request=None):
    """Run ``push`` (Flask's own) and record it, with what it raised if it
    raised after binding ``ctx`` (its token count grew)."""
    held = len(ctx._cv_tokens)
    try:
        push()
    except BaseException as error:
        if len(ctx._cv_tokens) > held:
            note = failure("then raised ", error)
            record("push", kind, ctx.app, bound(), request, note)
        raise
    record("push", kind, ctx.app, bound(), request)


class TracedAppContext(AppContext):
    """An app context that records its push and pop, whatever is raised."""

    def push(self):
        """Push, then record, also when an ``appcontext_pushed`` receiver
        raised: Flask bound the context first, and leaves it bound."""
        _push_recorded(self, super().push, "app")

    def pop(self, exc=_sentinel):
        """Pop, then record: also when a teardown raised, or Flask raised
        because another context was on top (it is unbound all the same)."""
        held, depth = len(self._cv_tokens), bound()
        try:
            super().pop(exc)
        except BaseException as error:
            if len(self._cv_tokens) < held:
                note = failure("raised ", error)
                record("pop", "app", self.app, depth, note=note)
            raise
        record("pop", "app", self.app, depth)


class TracedRequestContext(RequestContext):
    """A request context that records its push and pop where they happen."""

    def push(self):
        """Push (after the app context, if one is needed), then record; a push
        whose session fails to open is recorded too: it was bound first."""
        _push_recorded(self, super().push, "request", self.request)

    def pop(self, exc=_sentinel):
        """Flask 3.1's ``RequestContext.pop``, recording the pop where it
        happens: after ``teardown_request``, before the app context pops.
        (tests/test_tracer.py fails if Flask's own code changes.)"""
        depth = bound()
        clear_request = len(self._cv_tokens) == 1
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request_close = getattr(self.request, "close", None)
                if request_close is not None:
                    request_close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            wrong = "popped while another request context was on top"
            note = None if ctx is self else wrong
            record("pop", "request", self.app, depth, self.request, note)
            if clear_request:
                ctx.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(
                    f"Popped wrong request context. ({ctx!r} instead of {self!r})"
                )
