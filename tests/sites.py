"""A site that is not this one, for the route tools: three Flask apps, one
mounted two levels deep, one through its wrapped ``wsgi_app``."""

from flask import Flask
from flask_login import LoginManager, login_required
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix


def _shop():
    app = Flask("shop")
    app.add_url_rule("/", "home", lambda: "home")
    app.add_url_rule("/items/<int:item>", "item", lambda item: str(item))
    return app


def _blog():
    app = Flask("blog")
    app.add_url_rule("/posts", "posts", lambda: "posts", methods=["GET", "POST"])
    app.wsgi_app = ProxyFix(app.wsgi_app)  # middleware inside the app
    return app


def _office():
    app = Flask("office")
    LoginManager(app)

    @login_required
    def desk():
        return "desk"

    app.add_url_rule("/desk", "desk", desk)
    app.add_url_rule("/door", "door", lambda: "door")
    return app


shop, blog, office = _shop(), _blog(), _office()
# /team is the blog (reached through its wrapped wsgi_app), /team/office the office.
three_apps = ProxyFix(
    DispatcherMiddleware(
        shop, {"/team": DispatcherMiddleware(blog.wsgi_app, {"/office": office})}
    )
)
