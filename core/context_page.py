"""What an app sees of the current request, as the /context pages show it:
HTML for a browser, JSON for ``Accept: application/json`` or ``?format=json``."""

import json

from flask import Response, current_app, request, stream_template, url_for
from flask_lens import ENVIRON_KEY


def describe_request(shared):
    """Describe the active request as the active app sees it, with the URL
    ``url_for`` builds for ``shared``, an endpoint the site's apps share."""
    return {
        "app": current_app.name,
        "endpoint": request.endpoint,
        "script_root": request.script_root,
        "path": request.path,
        "url": request.url,
        "shared_endpoint": shared,
        f"{shared}_url": url_for(shared),
    }


def wants_json():
    """Tell whether the client asked for JSON rather than a page."""
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best != "text/html"


def context_response(shared):
    """Answer with ``describe_request()`` and the request's push/pop trace.

    Either way the body is read by the server after Flask has popped the
    request's contexts, so the trace in it has the pops. The JSON is written
    by a plain generator; the page is a streamed template, which
    ``stream_with_context`` renders with the contexts pushed again, and those
    two pushes are the trace's last events.
    """
    info = describe_request(shared)
    trace = request.environ.get(ENVIRON_KEY)
    if not wants_json():
        template = f"{current_app.name}/context.html"
        return stream_template(template, info=info, trace=trace)

    def body():
        info["trace"] = trace.as_json() if trace is not None else None
        yield json.dumps(info, indent=2) + "\n"

    return Response(body(), mimetype="application/json")
