"""Small sites shaped as other people's are, for flask-lens's tests."""

from threading import Lock

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix


def app_with(name, *paths):
    """A Flask app named ``name`` with one GET view per path."""
    app = Flask(name)
    for path in paths:
        endpoint = path.strip("/").replace("/", "_") or "index"
        app.add_url_rule(path, endpoint, lambda: name)
    return app


def dash_style():
    """``server.wsgi_app = DispatcherMiddleware(homepage, {...})``, as Dash
    sites are served: the server's own routes, and each mounted app's."""
    server = app_with("server", "/", "/about")
    dashboards = {f"/dash{n}": app_with(f"dash{n}", "/", "/data") for n in (1, 2)}
    server.wsgi_app = DispatcherMiddleware(server.wsgi_app, dashboards)
    return server


def dash_with_a_homepage():
    """Dash's own multi-page example: a homepage app as the default, the
    server's wsgi_app replaced; the server's own routes are never reached."""
    server = app_with("server", "/never-reached")
    homepage = app_with("homepage", "/")
    server.wsgi_app = DispatcherMiddleware(homepage, {"/dash1": app_with("dash1", "/")})
    return server


class SubdomainDispatcher:
    """Flask's documentation's: an app made on demand per subdomain."""

    def __init__(self, domain, create_app):
        self.domain = domain
        self.create_app = create_app
        self.lock = Lock()
        self.instances = {}

    def __call__(self, environ, start_response):
        host = environ["HTTP_HOST"].split(":")[0]
        subdomain = host.removesuffix(self.domain).rstrip(".")
        with self.lock:
            app = self.instances.get(subdomain)
            if app is None:
                app = self.instances[subdomain] = self.create_app(subdomain)
        return app(environ, start_response)


class PathDispatcher:
    """Flask's documentation's: an app made on demand per first path segment."""

    def __init__(self, default_app, create_app):
        self.default_app = default_app
        self.create_app = create_app
        self.lock = Lock()
        self.instances = {}

    def get_application(self, prefix):
        with self.lock:
            app = self.instances.get(prefix)
            if app is None:
                app = self.create_app(prefix)
                if app is not None:
                    self.instances[prefix] = app
            return app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        prefix = path.lstrip("/").partition("/")[0]
        app = self.get_application(prefix)
        if app is None:
            app = self.default_app
        else:
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + prefix
            environ["PATH_INFO"] = path[len(prefix) + 1 :]
        return app(environ, start_response)


def path_dispatcher():
    """A PathDispatcher with its default app and one user's app made already."""
    site = PathDispatcher(
        app_with("default", "/", "/signup"),
        lambda user: app_with(f"user-{user}", "/", "/posts") if user != "x" else None,
    )
    site.get_application("ann")
    return site


def nested_behind_proxy():
    """ProxyFix around a dispatcher that mounts another dispatcher."""
    inner = DispatcherMiddleware(
        app_with("shop", "/"), {"/api": app_with("api", "/v1")}
    )
    return ProxyFix(DispatcherMiddleware(app_with("home", "/"), {"/shop": inner}))


# For the command: flask-lens routes sites:dash (or sites:docs_dispatcher).
dash = dash_style()
docs_dispatcher = path_dispatcher()
