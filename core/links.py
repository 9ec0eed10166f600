"""Links from one app of the site to another, built the right way.

Inside a request, ``url_for`` builds with that request's URL adapter: the
admin cannot build a frontend URL with it (``BuildError``), and pushing the
frontend's *app* context does not help (the request's adapter still wins).
``site_url(name, **values)`` builds the site's link ``name`` with the URL map
of the app it leads to, bound to the site's root as this request sees it (so
a proxy's prefix and the mount prefix are both kept).
"""

from flask import current_app, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import BuildError

from core.site import current_link, current_site


def own_mount():
    """The path the active app is mounted at: its ``APPLICATION_ROOT``."""
    return current_app.config["APPLICATION_ROOT"].rstrip("/")


def site_wsgi():
    """The site the active app is part of, or the app alone (at its mount)."""
    site = current_site()
    if site is not None:
        return site
    if own_mount():  # alone, and not at the root: every other path 404s
        app = current_app._get_current_object()  # called in a fresh context
        return DispatcherMiddleware(NotFound(), {own_mount(): app})
    return current_app._get_current_object()


def site_apps():
    """The apps of the site by mount path ("" for the root)."""
    site = current_site()
    return site.apps if site is not None else {own_mount(): current_app}


def site_root():
    """The site's root as this request sees it: its script root without this
    app's mount (``/site`` behind a proxy's prefix, else "")."""
    return request.script_root.removesuffix(own_mount())


def base_url():
    """The site's root URL as this request sees it (a proxy's prefix kept)."""
    return request.host_url.rstrip("/") + site_root() + "/"


def site_url(name, **values):
    """The URL of the site's link ``name``, or None if this site has no such
    link (the admin alone has no frontend to link to)."""
    target = current_link(name)
    if target is None:
        return None
    app, mount, endpoint = target
    adapter = app.url_map.bind(
        request.host, script_name=site_root() + mount or "/", url_scheme=request.scheme
    )
    return adapter.build(endpoint, values)


def site_path(name, **values):
    """The path of the site's link ``name`` (None if the site has none)."""
    url = site_url(name, **values)
    return None if url is None else url.removeprefix(request.host_url.rstrip("/"))


def _outcome(build):
    """What ``build()`` gives, or the error it raises, as the page shows it.

    Flask 3.1 raises BuildError for the trap (the request's adapter builds);
    Flask 3.2, whose pushed app context has no request, raises RuntimeError
    (no SERVER_NAME to build with).
    """
    try:
        return build()
    except (BuildError, RuntimeError) as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"


def linking_examples(name, **values):
    """Three ways to link from this request to the site's link ``name``, each
    run here: [(code, what it gives)]. None if the site has no such link."""
    target = current_link(name)
    if target is None:
        return None
    other, _, endpoint = target
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
        (f"site_url({name!r}{args})", _outcome(lambda: site_url(name, **values))),
    ]
