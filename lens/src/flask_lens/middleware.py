"""WSGI middleware that records each request of a traced app, its body included."""

from contextvars import copy_context

from flask_lens.tracer import ENVIRON_KEY, recording


class TracedBody:
    """A response body read inside the request's recording: the contexts that
    ``stream_with_context`` pushes again while it is read are in the trace."""

    def __init__(self, body, context):
        self.body, self.context = body, context
        self.iterator = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.iterator is None:
            self.iterator = self.context.run(iter, self.body)
        return self.context.run(next, self.iterator)

    def close(self):
        """Close the body (its generator's cleanup is recorded too)."""
        if hasattr(self.body, "close"):
            self.context.run(self.body.close)


class TraceRequests:
    """WSGI middleware: record each request's trace into its environ."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        with recording() as trace:
            environ[ENVIRON_KEY] = trace
            body = self.wsgi_app(environ, start_response)
            context = copy_context()  # the recording, for reading the body
        return TracedBody(body, context)
