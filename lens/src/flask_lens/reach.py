"""Find every Flask app a WSGI callable reaches, through whatever wraps it.

One walk serves the route table and the resolver. It goes through

- ``DispatcherMiddleware`` (its default app and its mounts, nested ones too);
- a Flask app whose ``wsgi_app`` was replaced (``app.wsgi_app =
  DispatcherMiddleware(app.wsgi_app, {...})``, or ``ProxyFix(app.wsgi_app)``):
  the app's own routes count where its original ``wsgi_app`` is reached;
- middleware that keeps the app it wraps as ``app``, ``wsgi_app``,
  ``application`` or ``__wrapped__``, and a bound method's ``__self__``;
- dispatchers that make apps on demand, as the Flask documentation's
  ``PathDispatcher`` and ``SubdomainDispatcher`` do (``create_app`` and a
  dict ``instances``): the apps made so far and the ``default_app``.

What it cannot reach it says, in ``Reach.notes``.
"""

from dataclasses import dataclass, field

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# Where middleware keeps the app it wraps (ProxyFix: app; a bound
# app.wsgi_app: __self__; functools.wraps: __wrapped__).
WRAPPED = ("app", "wsgi_app", "application", "__wrapped__", "__self__")
MAX_DEPTH = 30  # a chain this long has wrapped itself


@dataclass
class Reach:
    """The Flask apps under a WSGI callable, and what stopped the walk."""

    apps: list = field(default_factory=list)  # [(mount prefix, Flask app)]
    notes: list = field(default_factory=list)  # what could not be followed

    def add(self, prefix, app):
        """Add ``app`` at ``prefix``, once."""
        if not any(p == prefix and a is app for p, a in self.apps):
            self.apps.append((prefix, app))


def own_wsgi_app(wsgi):
    """The Flask app whose own ``Flask.wsgi_app`` ``wsgi`` is, else None."""
    app = getattr(wsgi, "__self__", None)
    func = getattr(wsgi, "__func__", None)
    if isinstance(app, Flask) and func is type(app).wsgi_app:
        return app
    return None


def is_on_demand(wsgi):
    """Tell whether ``wsgi`` makes apps on demand, as the Flask docs' do."""
    return callable(getattr(wsgi, "create_app", None)) and isinstance(
        getattr(wsgi, "instances", None), dict
    )


def inner_of(wsgi):
    """The WSGI callable ``wsgi`` wraps (None if it keeps none we know)."""
    for name in WRAPPED:
        inner = getattr(wsgi, name, None)
        if inner is not None and inner is not wsgi:
            return inner
    return None


def describe(wsgi):
    """A short name for a WSGI callable in a note."""
    kind = type(wsgi)
    return f"{kind.__module__}.{kind.__qualname__}"


def reach(wsgi):
    """Walk ``wsgi``; return a ``Reach`` with every Flask app and its prefix."""
    found = Reach()
    _walk(wsgi, "", found, 0)
    return found


def step(wsgi):
    """One step inward from ``wsgi``, the rule both walks follow:

    ("app", a Flask app whose own wsgi_app this is), ("dispatcher", a
    dispatcher to look into), ("wrapper", the callable it wraps), or
    ("unknown", None) where no known attribute leads further.
    """
    if isinstance(wsgi, Flask):
        inner = wsgi.__dict__.get("wsgi_app")  # set on the app: replaced
        return ("app", wsgi) if inner is None else ("wrapper", inner)
    if (app := own_wsgi_app(wsgi)) is not None:
        return "app", app
    if isinstance(wsgi, DispatcherMiddleware) or is_on_demand(wsgi):
        return "dispatcher", wsgi
    inner = inner_of(wsgi)
    return ("wrapper", inner) if inner is not None else ("unknown", None)


def _walk(wsgi, prefix, found, depth):
    if depth > MAX_DEPTH:
        found.notes.append(f"stopped at {prefix or '/'}: wrappers nest too deep")
        return
    kind, inner = step(wsgi)
    if kind == "app":
        found.add(prefix, inner)
    elif kind == "wrapper":
        _walk(inner, prefix, found, depth + 1)
    elif isinstance(inner, DispatcherMiddleware):
        _walk(inner.app, prefix, found, depth + 1)
        for mount, app in inner.mounts.items():
            _walk(app, prefix + mount, found, depth + 1)
    elif kind == "dispatcher":
        _walk_on_demand(inner, prefix, found, depth)
    else:
        found.notes.append(
            f"{prefix or '/'}: {describe(wsgi)} keeps no app flask-lens can follow "
            f"(it looks for {', '.join(WRAPPED)})"
        )


def _walk_on_demand(wsgi, prefix, found, depth):
    """The apps an on-demand dispatcher has made so far, and its default."""
    by_path = hasattr(wsgi, "default_app")
    for key, app in list(wsgi.instances.items()):
        # PathDispatcher keys by the path's first segment, SubdomainDispatcher
        # by host: the latter's apps are all at this prefix, on their host.
        _walk(app, f"{prefix}/{key}" if by_path else prefix, found, depth + 1)
    if by_path and wsgi.default_app is not None:
        _walk(wsgi.default_app, prefix, found, depth + 1)
    found.notes.append(
        f"{prefix or '/'}: {describe(wsgi)} makes apps on demand (create_app): "
        f"listed are the {len(wsgi.instances)} made so far"
        + (" and its default app" if by_path else "")
    )


def unwrap(wsgi):
    """The dispatcher, on-demand dispatcher or Flask app that serves a request
    sent to ``wsgi``, under any middleware (None if none is found)."""
    for _ in range(MAX_DEPTH):
        kind, inner = step(wsgi)
        if kind != "wrapper":
            return inner
        wsgi = inner
    return None
