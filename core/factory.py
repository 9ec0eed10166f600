"""The base factory both apps build on: the steps every app of the site takes."""

from core import config, db, errors, filters, headers, schema
from core.contexts import tracer
from core.extensions import csrf
from core.routing import links
from core.sessions import SessionInterface


def create_app(import_name, env_prefix, defaults, test_config=None):
    """Build a configured Flask app with the parts both apps share.

    ``import_name`` is the app's package (its static folder lives there),
    ``env_prefix`` the prefix of its own environment variables, ``defaults``
    its own development defaults.
    """
    app = tracer.TracedFlask(
        import_name,
        template_folder=str(config.ROOT / "templates"),
        instance_path=config.instance_path(),
    )
    config.configure(app, env_prefix, defaults, test_config)
    app.session_interface = SessionInterface()
    register_extensions(app)
    register_errorhandlers(app)
    headers.init_app(app)
    filters.init_app(app)
    app.add_template_global(links.site_url)  # links to the site's other apps
    if app.config["TRACE_CONTEXTS"]:
        tracer.init_app(app)
    return app


def register_extensions(app):
    """Bind the database (up to date, on SQLite) and the extensions both apps use."""
    db.init_app(app)
    schema.prepare(app)
    csrf.init_app(app)


def register_errorhandlers(app):
    """Render the app's own HTML error pages."""
    errors.init_app(app)


def register_blueprints(app, *blueprints):
    """Register ``blueprints`` on ``app``, in order."""
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
