"""What a learner types into the routing and trace pages: a path of this
site, a URL of it, or an endpoint name; and a method. Both pages take the
same input, keep it in their form, and say on the page what is wrong."""

from typing import NamedTuple
from urllib.parse import urlsplit

from flask import request
from werkzeug.routing import BuildError

from core import links
from core.redirects import is_local_url

METHODS = ("GET", "POST")
EXAMPLE = "a path like /hello, a URL of this site, or an endpoint like users.index"


class Asked(NamedTuple):
    """The form as typed, and what it names."""

    text: str  # kept in the form
    method: str
    path: str | None  # the site path to follow; None when ``problem`` says why
    problem: str | None = None
    note: str | None = None  # how an endpoint name became ``path``


def asked(default):
    """Read ``?path=`` (``default`` if empty) and ``?method=`` (GET)."""
    text = request.args.get("path", "").strip() or default
    method = request.args.get("method", "GET").upper()
    if method not in METHODS:
        return Asked(text, "GET", None, f"Choose GET or POST, not {method!r}.")
    return Asked(text, method, *site_path(text))


def site_path(text):
    """(path, problem, note) for ``text``: a path, a URL or an endpoint name."""
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        if parts.netloc != request.host:
            return None, f"{parts.netloc} is another site: type {EXAMPLE}.", None
        text = parts.path + (f"?{parts.query}" if parts.query else "")
    if text.startswith("/"):
        if is_local_url(text):
            return text, None, None
        return None, f"That is not a path on this site: type {EXAMPLE}.", None
    return endpoint_path(text)


def endpoint_path(name):
    """(path, problem, note) for an endpoint ``name``, in the site's apps."""
    found, needs = [], []
    for mount, app in links.site_apps().items():
        if name not in app.view_functions:
            continue
        adapter = app.url_map.bind("localhost", script_name=mount or "/")
        try:
            found.append((app.name, adapter.build(name)))
        except BuildError:
            rule = next(app.url_map.iter_rules(name))
            needs.append(
                f"{app.name}'s {name} needs {', '.join(sorted(rule.arguments))}"
            )
    if not found:
        if needs:
            return None, f"{'; '.join(needs)}: type a path instead.", None
        return (
            None,
            f"No app of this site has an endpoint {name!r}: type {EXAMPLE}.",
            None,
        )
    (app_name, path), *others = found
    note = f"The endpoint {name!r} of {app_name} is {path}."
    if others:
        also = ", ".join(f"{other}'s is {where}" for other, where in others)
        note += f" Each app has its own {name!r}: {also}."
    return path, None, note
