"""The base factory both apps build on: the steps every app of the site takes.

Building an app reads its configuration and registers things; it opens no
database and writes no file (``core.prepare`` does that, before serving).
"""

import flask_lens
from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

from core import body_limit, config, db, errors, filters, headers, links, stored_text
from core.extensions import csrf
from core.mail import outbox
from core.sessions import SessionInterface


def create_app(import_name, env_prefix, defaults, test_config=None):
    """Build a configured Flask app with the parts both apps share.

    ``import_name`` is the app's package (its static folder lives there),
    ``env_prefix`` the prefix of its own environment variables, ``defaults``
    its own development defaults.
    """
    app = Flask(import_name, instance_path=config.instance_path())
    # The site's templates, and flask-lens's (the timeline macro).
    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(config.ROOT / "templates"), PackageLoader("flask_lens")]
    )
    config.configure(app, env_prefix, defaults, test_config)
    app.session_interface = SessionInterface()
    body_limit.init_app(app)  # first: before CSRF or a view reads a form
    register_extensions(app)
    register_errorhandlers(app)
    headers.init_app(app)
    filters.init_app(app)
    stored_text.init_app(app)  # no NUL reaches the database
    app.add_template_global(links.site_url)  # links to the site's other apps
    if app.config["TRACE_CONTEXTS"]:
        flask_lens.record_requests(app)  # only now does the tracer's code run
    return app


def register_extensions(app):
    """Bind the database and the extensions both apps use."""
    db.init_app(app)
    outbox.init_app(app)  # a commit that wrote mail wakes delivery, in any app
    csrf.init_app(app)


def register_errorhandlers(app):
    """Render the app's own HTML error pages."""
    errors.init_app(app)


def register_blueprints(app, *blueprints):
    """Register ``blueprints`` on ``app``, in order."""
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
