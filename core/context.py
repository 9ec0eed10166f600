"""What an app sees of the current request, as the /context pages show it."""

from flask import current_app, request, url_for


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
