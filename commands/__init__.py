"""The site's command line: ``python dispatcher.py [serve|deliver|routes|trace|db]``."""

import click
from flask.cli import ScriptInfo

from commands.deliver import deliver
from commands.inspection import routes_command, trace
from commands.serve import serve
from core import schema
from dispatcher import create_site


class Commands(click.Group):
    """The site's commands, with Flask-Migrate's ``db`` group loaded only
    when asked: it imports Alembic, which serving never needs."""

    def list_commands(self, ctx):
        """The names of the commands, ``db`` among them."""
        return sorted([*super().list_commands(ctx), "db"])

    def get_command(self, ctx, name):
        """The command ``name``, importing Flask-Migrate's only if asked."""
        if name == "db":
            from flask_migrate.cli import db  # noqa: PLC0415 (Alembic: db only)

            return db
        return super().get_command(ctx, name)


@click.group(cls=Commands, invoke_without_command=True)
@click.pass_context
def cli(ctx):
    """Serve the combined site (the default), or inspect it."""
    # Flask-Migrate's `db` commands find their app through Flask's ScriptInfo:
    # either app will do, both are bound to the one database.
    ctx.obj = ScriptInfo(create_app=database_app, set_debug_flag=False)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


def database_app():
    """The app the ``db`` commands run in, its SQLite file made if need be
    (Alembic changes nothing else until the command asks)."""
    app = create_site().app
    schema.migrations(app)
    schema.sqlite_file(app)
    return app


for command in (serve, deliver, routes_command, trace):
    cli.add_command(command)
