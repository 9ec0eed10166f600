"""What an app sees of the current request, as the /context pages show it."""

import json

from flask import Response, current_app, request, url_for

from core.contexts.tracer import ENVIRON_KEY


def describe_request():
    """Describe the active request as the active app sees it."""
    return {
        "app": current_app.name,
        "endpoint": request.endpoint,
        "script_root": request.script_root,
        "path": request.path,
        "url": request.url,
        "hello_url": url_for("hello"),
    }


def context_response():
    """Answer with ``describe_request()`` and the request's push/pop trace.

    The body is a generator: the server reads it after Flask has popped the
    request's contexts, so the trace in it is complete, pops included.
    """
    info = describe_request()
    trace = request.environ.get(ENVIRON_KEY)

    def body():
        info["trace"] = trace.as_json() if trace is not None else None
        yield json.dumps(info, indent=2) + "\n"

    return Response(body(), mimetype="application/json")
