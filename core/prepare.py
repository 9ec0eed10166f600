"""Get the site's instance ready to serve: the apps' keys and the database.

Building an app writes nothing; what serves (``serve``, the WSGI
``application``, through ``core.serving``) calls ``prepare`` first.
``db upgrade`` migrates any database itself and needs no key. An app with no
configured ``SECRET_KEY`` gets one made once in the instance folder (shared
by every process on the machine). SQLite is brought to the newest
migration; any other database must already be there (``schema``). It leaves
no connection open, so a server may fork its workers after it (gunicorn's
``preload_app``): a child must never use a connection of its parent's.
"""

from core import schema
from core.db import close_connections
from core.keys import instance_secret, secret_key_file


def prepare(apps):
    """Give each app its key, bring SQLite up to date, and refuse to go on
    (``schema.SchemaOutOfDate``) if the database is not at the newest migration."""
    apps = list(apps)
    for app in apps:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = instance_secret(secret_key_file(app))
    schema.prepare(apps[0])  # one database for every app
    schema.require_current(apps[0])
    for app in apps:
        close_connections(app)
