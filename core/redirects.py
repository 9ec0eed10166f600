"""Where to send a user after logging in: a local ``next`` URL, or a default."""

from urllib.parse import urlsplit

from flask import redirect, request, url_for


def is_local_url(target):
    """Tell whether ``target`` is a path on this site (not another host)."""
    if not target or not target.startswith("/") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def redirect_next(default_endpoint):
    """Redirect to the request's local ``next`` URL, else to ``default_endpoint``."""
    target = request.args.get("next")
    if is_local_url(target):
        return redirect(target)
    return redirect(url_for(default_endpoint))
