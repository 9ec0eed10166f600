"""The routes of any WSGI site built from dispatchers and Flask apps.

``flask routes`` lists one app. ``routes(wsgi)`` walks a whole site (see
``flask_lens.reach``) and lists every rule of every Flask app it reaches,
with the mount prefix a browser would request.
"""

from dataclasses import asdict, dataclass

from flask_lens.reach import reach

HEADER = ("Path", "Methods", "Endpoint", "App")
# Not listed: OPTIONS, which Flask adds to every rule, and HEAD, which
# Werkzeug adds to every rule with GET.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}
# An app may say which endpoints need a login (a function of the endpoint),
# when one hook guards every view: app.extensions[LOGIN_POLICY] = policy.
LOGIN_POLICY = "flask_lens.login_policy"


def _login_required_code():
    """The code every view wrapped by Flask-Login's ``login_required`` runs
    (None without Flask-Login: then no route can be told to need a login)."""
    try:
        from flask_login import login_required  # noqa: PLC0415 (optional)
    except ImportError:
        return None
    return login_required(lambda: None).__code__


FLASK_LOGIN_REQUIRED = _login_required_code()


@dataclass(frozen=True)
class Route:
    """One rule of one mounted app, as a visitor reaches it."""

    app: str
    blueprint: str | None
    path: str  # with the mount prefix
    methods: tuple
    endpoint: str
    view: str  # "module:qualname" of the view function
    login: bool | None  # needs a login; None: the app does not say
    arguments: tuple  # the rule's variables, such as ("nickname",)

    def as_json(self):
        """The route as a dict of JSON types."""
        return {**asdict(self), "methods": list(self.methods)}


# Flask's static route is a lambda made in Flask.__init__ that calls
# send_static_file: named by what it does, not as "<locals>.<lambda>".
STATIC_LAMBDA = "Flask.__init__.<locals>.<lambda>"


def view_name(view) -> str:
    """``module:qualname`` of the function under any decorators."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    if view.__qualname__ == STATIC_LAMBDA and view.__module__ == "flask.app":
        return "flask.app:Flask.send_static_file"
    return f"{view.__module__}:{view.__qualname__}"


def needs_login(app, endpoint, view):
    """Tell whether ``endpoint`` needs a login (None if ``app`` cannot say)."""
    policy = app.extensions.get(LOGIN_POLICY)
    if policy is not None:
        return policy(endpoint)
    if FLASK_LOGIN_REQUIRED is None:
        return None  # without Flask-Login there is nothing to tell by
    while view is not None:
        if getattr(view, "__code__", None) is FLASK_LOGIN_REQUIRED:
            return True
        if getattr(view, "login_required", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False if hasattr(app, "login_manager") else None


def routes(wsgi) -> list[Route]:
    """Every route of every Flask app under ``wsgi``, app by app, in each
    app by blueprint and path."""
    found = []
    for prefix, app in reach(wsgi).apps:
        # The app's own endpoints ("hello", "static") first, then by blueprint.
        rules = sorted(
            app.url_map.iter_rules(),
            key=lambda r: (r.endpoint.rpartition(".")[0], r.endpoint, r.rule),
        )
        for rule in rules:
            view = app.view_functions.get(rule.endpoint)
            blueprint, dot, _ = rule.endpoint.rpartition(".")
            found.append(
                Route(
                    app=app.name,
                    blueprint=blueprint if dot else None,
                    path=prefix + rule.rule,
                    methods=tuple(sorted(rule.methods - IMPLICIT_METHODS)),
                    endpoint=rule.endpoint,
                    view=view_name(view) if view else "",
                    login=needs_login(app, rule.endpoint, view),
                    arguments=tuple(sorted(rule.arguments)),
                )
            )
    return found


def route_rows(wsgi) -> list[tuple]:
    """Return (path, methods, endpoint, app) for every rule, sorted by path."""
    return sorted(
        (r.path, ", ".join(r.methods), r.endpoint, r.app) for r in routes(wsgi)
    )


def format_table(rows, header=HEADER) -> str:
    """Lay ``rows`` out as a plain-text table with a header and a rule."""
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=True)
    ]

    def line(cells):
        return "  ".join(
            str(c).ljust(w) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
