"""The site's command line: ``python dispatcher.py [serve|deliver|routes|trace|db]``."""

import logging
import os
import signal
import sys
import threading
from pathlib import Path

import click
from flask.cli import ScriptInfo
from flask.helpers import get_debug_flag
from flask_lens.cli import echo_routes, load
from flask_lens.scenario import run as run_scenario
from werkzeug.serving import run_simple

from admin.auth import ensure_credentials
from core import schema
from core.prepare import prepare
from core.serving import served, settle
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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--debug/--no-debug",
    default=None,
    help="Debug mode, the debugger and Flask-DebugToolbar (default: FLASK_DEBUG).",
)
def serve(host, port, debug):
    """Run the development server (werkzeug's run_simple), with mail delivery."""
    # Links in emails lead here, unless the public URL is configured.
    netloc = f"[{host}]" if ":" in host else host
    os.environ.setdefault("FLASK_PUBLIC_URL", f"http://{netloc}:{port}")
    debug = get_debug_flag() if debug is None else debug
    site, wsgi = site_to_serve(debug)
    announce_admin_password(site.apps["/admin"])
    mail_server = None
    if "FLASK_MAIL_SERVER" not in os.environ:
        mail_server = start_dev_mail_server(site.app)
    # SIGTERM ends the server like Ctrl-C does, so delivery stops cleanly.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    settle()
    site.services.start()
    try:
        run_simple(host, port, wsgi, threaded=True, use_debugger=debug)
    finally:
        site.services.stop()
        if mail_server is not None:
            mail_server.stop()


def site_to_serve(debug):
    """The site and its WSGI callable, in debug mode with the toolbar if
    ``debug``; a clear error if its database is behind its migrations."""
    # The toolbar's SQLAlchemy panel lists the queries Flask-SQLAlchemy
    # records, which it does only if told so when the app is built.
    recorded = {"SQLALCHEMY_RECORD_QUERIES": True} if debug else None
    site = create_site(recorded, recorded)
    try:
        wsgi = served(site, debug)  # only here does debug mode turn on
    except schema.SchemaOutOfDate as error:
        raise click.ClickException(str(error)) from error
    if debug:
        from core import toolbar  # noqa: PLC0415 (the toolbar: debug only)

        for app in site.apps.values():
            toolbar.init_app(app)
    return site, wsgi


@cli.command()
def deliver():
    """Deliver the outbox and run the periodic jobs, and nothing else.

    Beside web servers that run with FRONTEND_MAIL_DELIVERY=false, so that
    sending mail never shares their processes. SIGTERM or Ctrl-C stops it
    once the message in flight is answered (at most MAIL_DATA_TIMEOUT);
    the rest of each claimed batch is handed back at once.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    delivering = {"MAIL_DELIVERY": True}  # whatever the web processes say
    site = create_site(delivering, None)
    try:
        prepare(site.apps.values())
    except schema.SchemaOutOfDate as error:
        raise click.ClickException(str(error)) from error
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: stop.set())
    settle()
    site.services.start()
    threads = site.app.config["MAIL_DELIVERY_THREADS"]
    click.echo(f" * Delivering the outbox with {threads} threads (SIGTERM stops)")
    stop.wait()
    click.echo(" * Stopping: the messages in flight finish, the rest go back")
    site.services.stop()
    click.echo(" * Stopped")


def announce_admin_password(admin_app):
    """Make and print a password for this run if none is configured."""
    password = ensure_credentials(admin_app)
    if password is not None:
        username = admin_app.config["ADMIN_USERNAME"]
        click.echo(
            f" * Admin login for this run: {username} / {password}\n"
            "   (set FLASK_ADMIN_PASSWORD_HASH to choose a lasting one)"
        )


def start_dev_mail_server(app):
    """Start the local SMTP server the mail settings point at; return it."""
    from core.mail import devserver  # noqa: PLC0415 (aiosmtpd: for serve only)

    host, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    mail_dir = Path(app.instance_path) / "mail"
    try:
        server = devserver.start(host, port, mail_dir, echo=click.echo)
    except OSError as error:
        raise click.ClickException(
            f"cannot start the development SMTP server on {host}:{port} ({error}); "
            "set FLASK_MAIL_PORT to a free port, or FLASK_MAIL_SERVER to use a real one"
        ) from error
    click.echo(f" * Development SMTP server on {host}:{port}, mail kept in {mail_dir}")
    return server


@cli.command("routes")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per route.")
@click.option(
    "--app",
    "target",
    metavar="MODULE:NAME",
    help="Any WSGI app (default: this site); `flask-lens routes` does the same.",
)
def routes_command(as_json, target):
    """Print every route of every app, with its mount prefix."""
    if target:
        echo_routes(load(target), target, as_json)
    else:
        echo_routes(create_site(), "this site", as_json)


@cli.command()
def trace():
    """Push and pop nested contexts of both apps, printing each step."""
    site = create_site()
    run_scenario(site.app, site.apps["/admin"], echo=click.echo)
