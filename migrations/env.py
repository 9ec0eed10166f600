"""Alembic's entry point: run the migrations on the active app's database.

Flask-Migrate and core/schema.py run it inside an app context; the metadata
is the models', so ``db migrate`` and ``db check`` compare against them.
"""

from alembic import context
from flask import current_app

import core.accounts.models  # noqa: F401  (every table in the metadata)
import core.mail.models  # noqa: F401
import core.throttle.models  # noqa: F401

extension = current_app.extensions["migrate"]
target_metadata = extension.db.metadata
options = {"target_metadata": target_metadata, **extension.configure_args}


def run_offline():
    """Print the SQL (``db upgrade --sql``) instead of running it."""
    url = extension.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    """Run the migrations in one transaction on a connection of the app's engine."""
    with extension.db.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
