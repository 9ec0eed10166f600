"""Where to send a user after logging in: a local ``next`` URL, or a default.

A ``next`` URL comes from a link anyone can write, so it is judged as the
browser will read it, not as a string: browsers drop tabs and newlines, read
backslashes as slashes, and take ``//host`` (any number of slashes) as another
site; some servers and proxies decode ``%2F`` into a slash first.
"""

import re
from urllib.parse import unquote, urlsplit

from flask import redirect, request, url_for

# Control characters (tabs, newlines: dropped by browsers, refused in
# headers) and backslashes (read as slashes).
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def is_local_url(target):
    """Tell whether a browser sent to ``target`` stays on this site."""
    if not target or UNSAFE.search(target) or not target.startswith("/"):
        return False
    if target.startswith("//"):  # any number of slashes: another host
        return False
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[": not a URL at all
        return False
    if parts.scheme or parts.netloc:
        return False
    path = unquote(parts.path)
    return not path.startswith("//") and not UNSAFE.search(path)


def redirect_next(default_endpoint):
    """Redirect to the request's local ``next`` URL, else to ``default_endpoint``."""
    target = request.args.get("next")
    if is_local_url(target):
        return redirect(target)
    return redirect(url_for(default_endpoint))
