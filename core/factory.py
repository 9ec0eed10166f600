"""The base factory both apps build on."""

from core import config, db, errors, filters, tracer
from core.extensions import csrf


def create_app(import_name, env_prefix, defaults, test_config=None):
    """Build a configured Flask app with the parts both apps share.

    ``import_name`` is the app's package (its static folder lives there),
    ``env_prefix`` the prefix of its own environment variables, ``defaults``
    its own development defaults.
    """
    app = tracer.Flask(
        import_name,
        template_folder=str(config.ROOT / "templates"),
        instance_path=config.instance_path(),
    )
    config.configure(app, env_prefix, defaults, test_config)
    db.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    if app.config["TRACE_CONTEXTS"]:
        tracer.init_app(app)
    return app
