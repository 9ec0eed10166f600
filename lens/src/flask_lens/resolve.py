"""How a URL finds its view, step by step, by running the real code.

``resolve(site, path)`` sends the path through each ``DispatcherMiddleware``
of the site with its apps replaced by probes, so werkzeug's own code chooses
the mount and splits the path into ``SCRIPT_NAME`` and ``PATH_INFO``; then
the chosen Flask app's ``url_map`` matches ``PATH_INFO`` (or raises 404, 405
or a redirect); then ``url_for``, inside a request context of that app for
that very environ, builds the URL back.
"""

from dataclasses import dataclass, field

from flask import Flask, url_for
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import RequestRedirect
from werkzeug.test import EnvironBuilder

from flask_lens.handoff import in_fresh_context
from flask_lens.reach import is_on_demand, unwrap
from flask_lens.routes import view_name


@dataclass
class Hop:
    """One dispatcher's choice: the mount, and the path split at it."""

    mounts: list  # the dispatcher's mount prefixes ("" for its default app)
    mount: str
    script_name: str
    path_info: str


@dataclass
class Resolution:
    """Everything ``resolve`` found for one method and path."""

    method: str
    path: str
    hops: list = field(default_factory=list)
    app: str | None = None
    script_name: str = ""
    path_info: str = ""
    rule: str | None = None
    arguments: dict = field(default_factory=dict)
    endpoint: str | None = None
    view: str | None = None
    status: int = 200  # what the matching alone answers
    why: str | None = None  # why it is not 200
    built: str | None = None  # url_for(endpoint, **arguments) in that request


class _Probe:
    """Stands in for a mounted app: keeps the environ it is called with."""

    def __init__(self, mount, app, seen):
        self.mount, self.app, self.seen = mount, app, seen

    def __call__(self, environ, start_response):
        self.seen.append((self, dict(environ)))
        return []


def _dispatch(dispatcher, environ):
    """Let ``dispatcher`` choose; return (hop, chosen app, its environ)."""
    seen = []
    probes = {m: _Probe(m, app, seen) for m, app in dispatcher.mounts.items()}
    DispatcherMiddleware(_Probe("", dispatcher.app, seen), probes)(
        environ, lambda *args: None
    )
    probe, chosen = seen[0]
    hop = Hop(
        mounts=["", *dispatcher.mounts],
        mount=probe.mount,
        script_name=chosen.get("SCRIPT_NAME", ""),
        path_info=chosen.get("PATH_INFO", ""),
    )
    return hop, probe.app, chosen


def _dispatch_on_demand(dispatcher, environ):
    """What the Flask docs' ``PathDispatcher`` chooses, without making an app:
    an app already made for the path's first segment, else its default app."""
    path = environ.get("PATH_INFO", "")
    segment = path.lstrip("/").partition("/")[0]
    chosen = dispatcher.instances.get(segment)
    mount = "/" + segment if chosen is not None else ""
    if chosen is None:
        chosen = getattr(dispatcher, "default_app", None)
    script_name = environ.get("SCRIPT_NAME", "") + mount
    environ = {**environ, "SCRIPT_NAME": script_name, "PATH_INFO": path[len(mount) :]}
    mounts = ["", *(f"/{key}" for key in dispatcher.instances)]
    return Hop(mounts, mount, script_name, environ["PATH_INFO"]), chosen, environ


def _match(app, environ, result):
    """Match ``environ`` against ``app``'s rules; fill in ``result``."""
    adapter = app.url_map.bind_to_environ(environ)
    try:
        rule, arguments = adapter.match(method=result.method, return_rule=True)
    except RequestRedirect as redirect:
        result.status = redirect.code
        result.why = (
            f"the rule differs by a slash (strict_slashes): werkzeug redirects "
            f"to {redirect.new_url}"
        )
    except MethodNotAllowed as error:
        result.status = 405
        methods = sorted(set(error.valid_methods) - {"HEAD", "OPTIONS"})
        rule, _ = adapter.match(method=methods[0], return_rule=True)
        result.why = (
            f"the rule {rule.rule} ({rule.endpoint}) matches the path, but "
            f"answers {', '.join(methods)} only"
        )
    except NotFound:
        result.status = 404
        result.why = f"no rule of {app.name} matches {result.path_info!r}"
    else:
        result.rule, result.arguments = rule.rule, arguments
        result.endpoint = rule.endpoint
        view = app.view_functions.get(rule.endpoint)
        result.view = view_name(view) if view else None
        result.built = _build_back(app, environ, rule.endpoint, arguments)


def _build_back(app, environ, endpoint, arguments):
    """``url_for`` in a request context of ``app`` for ``environ``, run in an
    empty context so that no trace or request of the caller sees it."""

    def build():
        with app.request_context(environ):
            return url_for(endpoint, **arguments)

    return in_fresh_context(build)


def resolve(
    site, path: str, method: str = "GET", base_url: str = "http://localhost/"
) -> Resolution:
    """Follow ``method path`` through ``site`` to its view; return a Resolution."""
    environ = EnvironBuilder(path=path, method=method, base_url=base_url).get_environ()
    result = Resolution(method=method, path=path)
    wsgi = unwrap(site)
    while isinstance(wsgi, DispatcherMiddleware) or is_on_demand(wsgi):
        if isinstance(wsgi, DispatcherMiddleware):
            hop, chosen, environ = _dispatch(wsgi, environ)
        else:
            hop, chosen, environ = _dispatch_on_demand(wsgi, environ)
        result.hops.append(hop)
        wsgi = unwrap(chosen)
    result.script_name = environ.get("SCRIPT_NAME", "")
    result.path_info = environ.get("PATH_INFO", "")
    if not isinstance(wsgi, Flask):
        result.status = 404
        result.why = "no app is mounted there"
        return result
    result.app = wsgi.name
    _match(wsgi, environ, result)
    return result
