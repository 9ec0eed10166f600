"""Links from one app of the site to another, built the right way.

Inside a request, ``url_for`` builds with that request's URL adapter: the
admin cannot build a frontend URL with it (``BuildError``), and pushing the
frontend's *app* context does not help (the request's adapter still wins).
``site_url(mount, endpoint, **values)`` builds with the URL map of the app
mounted at ``mount``, bound to the site's root as this request sees it (so a
proxy's prefix and the mount prefix are both kept).

``init_app(app, mounts)`` tells ``app`` which other apps the site mounts
where; the dispatcher does it for both apps.
"""

from flask import current_app, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import BuildError

MOUNTS = "site.mounts"


def mount_of(app):
    """The path ``app`` is mounted at: its ``APPLICATION_ROOT`` ("" for "/")."""
    return app.config["APPLICATION_ROOT"].rstrip("/")


def init_app(app, mounts=None):
    """Record the site's other apps (``{"/": frontend}``) beside ``app``."""
    site = {path.rstrip("/"): other for path, other in (mounts or {}).items()}
    site[mount_of(app)] = app
    app.extensions[MOUNTS] = site


def mounts(app=None):
    """The apps of the site by mount path ("" for the root), ``app`` included."""
    app = app or current_app
    return app.extensions.get(MOUNTS) or {mount_of(app): app}


def site_wsgi(app=None):
    """The site as a WSGI app, rebuilt from the mounts (as ``dispatcher.py``
    builds it): what the trace and routing pages send their requests to."""
    site = dict(mounts(app))
    root = site.pop("", None) or NotFound()  # nothing at "/": every other path 404s
    return DispatcherMiddleware(root, site)


def site_root():
    """The site's root as this request sees it: its script root without this
    app's mount (``/site`` behind a proxy's prefix, else "")."""
    return request.script_root.removesuffix(mount_of(current_app))


def base_url():
    """The site's root URL as this request sees it (a proxy's prefix kept)."""
    return request.host_url.rstrip("/") + site_root() + "/"


def site_url(mount, endpoint, **values):
    """The URL of ``endpoint`` in the app mounted at ``mount`` ("" or "/"
    for the root), or None if the site mounts no app there (the admin
    alone has no frontend to link to)."""
    app = mounts().get(mount.rstrip("/"))
    if app is None:
        return None
    adapter = app.url_map.bind(
        request.host,
        script_name=site_root() + mount.rstrip("/") or "/",
        url_scheme=request.scheme,
    )
    return adapter.build(endpoint, values)


def _outcome(build):
    try:
        return build()
    except BuildError as error:
        return f"BuildError: {str(error).splitlines()[0]}"


def linking_examples(mount, endpoint, **values):
    """Three ways to link from this request to ``endpoint`` of the app at
    ``mount``, each run here: [(code, what it gives)]. None if no app is
    mounted there."""
    other = mounts().get(mount.rstrip("/"))
    if other is None:
        return None
    args = "".join(f", {k}={v!r}" for k, v in values.items())

    def with_app_context():
        with other.app_context():  # the trap: the request's adapter still wins
            return url_for(endpoint, **values)

    return [
        (f"url_for({endpoint!r}{args})", _outcome(lambda: url_for(endpoint, **values))),
        (
            f"with {other.name}.app_context(): url_for({endpoint!r}{args})",
            _outcome(with_app_context),
        ),
        (
            f"site_url({mount!r}, {endpoint!r}{args})",
            _outcome(lambda: site_url(mount, endpoint, **values)),
        ),
    ]
