"""Templates for the tests and the benchmarks: a database brought to the
newest migration once, then copied for each test or site."""

import frontend
from core import schema
from core.extensions import db


def migrate(url):
    """Bring the database at ``url`` to the newest migration."""
    app = frontend.create_app({"DATABASE_URL": url, "SECRET_KEY": "migrate"})
    with app.app_context():
        schema.upgrade()
        db.engine.dispose()  # a template database must have no connections
