"""The combined site: the admin app mounted at /admin over the frontend at /.

``application`` is the WSGI callable for any WSGI server::

    gunicorn dispatcher:application

and this file is also the site's command line::

    python dispatcher.py [serve] [--host 127.0.0.1] [--port 5000] [--debug]
    python dispatcher.py routes [--json] [--app package.module:name]
    python dispatcher.py trace
    python dispatcher.py db upgrade      # and Flask-Migrate's other commands
"""

import json
import os
import signal
import sys
from pathlib import Path

import click
from flask.cli import ScriptInfo
from flask.helpers import get_debug_flag
from flask_migrate.cli import db as migrate_commands
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import run_simple
from werkzeug.utils import ImportStringError, import_string

import admin
import frontend
from admin.auth import ensure_credentials
from core import schema
from core.contexts import scenario
from core.mail import devserver, workers
from core.routing import links
from core.routing.table import format_table, route_rows, routes


def create_application(frontend_config=None, admin_config=None):
    """Mount the admin app at /admin over the frontend app at /."""
    frontend_app = frontend.create_app(frontend_config)
    admin_app = admin.create_app(admin_config, mounts={"/": frontend_app})
    links.init_app(frontend_app, {"/admin": admin_app})  # its links to the admin
    return DispatcherMiddleware(frontend_app, {"/admin": admin_app})


def behind_proxies(site, hops):
    """The site as served behind ``hops`` proxies that set X-Forwarded-*.

    ProxyFix wraps the whole dispatcher, never one app: around the admin it
    would overwrite the SCRIPT_NAME that mounts it. Without proxies (0, the
    default) those headers are anyone's and are ignored.
    """
    if not hops:
        return site
    return ProxyFix(site, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def create_served_application():
    """The site, checked before it serves: its database schema must be current."""
    site = create_application()
    schema.require_current(site.app)
    return site


def proxy_hops():
    """How many proxies stand before the site (``FLASK_PROXY_HOPS``, 0)."""
    return int(os.environ.get("FLASK_PROXY_HOPS", "0"))


def __getattr__(name):
    """Build ``application`` when a WSGI server first looks it up.

    Importing this module builds nothing, so the tests can import
    ``create_application`` without reading the environment or writing to
    ``instance/``.
    """
    if name != "application":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global application
    site = create_served_application()
    for app in (site.app, *site.mounts.values()):
        # A WSGI server serves the world: no debug mode, whatever FLASK_DEBUG
        # says (errors reach the app's own page, never the server's).
        app.debug = False
    application = behind_proxies(site, proxy_hops())
    return application


@click.group(invoke_without_command=True)
@click.pass_context
def cli(ctx):
    """Serve the combined site (the default), or inspect it."""
    # Flask-Migrate's `db` commands find their app through Flask's ScriptInfo:
    # either app will do, both are bound to the one database.
    ctx.obj = ScriptInfo(
        create_app=lambda: create_application().app, set_debug_flag=False
    )
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


cli.add_command(migrate_commands, "db")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--debug/--no-debug",
    default=None,
    help="Debug mode, the debugger and Flask-DebugToolbar (default: FLASK_DEBUG).",
)
def serve(host, port, debug):
    """Run the development server (werkzeug's run_simple)."""
    # Links in emails lead here, unless the public URL is configured.
    netloc = f"[{host}]" if ":" in host else host
    os.environ.setdefault("FLASK_PUBLIC_URL", f"http://{netloc}:{port}")
    try:
        site = create_served_application()
    except schema.SchemaOutOfDate as error:
        raise click.ClickException(str(error)) from error
    frontend_app, admin_app = site.app, site.mounts["/admin"]
    if debug is None:
        debug = get_debug_flag()
    for app in (frontend_app, admin_app):
        # Only here, on the development server, does debug mode turn on.
        app.debug = debug
        if debug:
            from core import debug as toolbar  # noqa: PLC0415 (development only)

            toolbar.init_app(app)
    announce_admin_password(admin_app)
    mail_server = None
    if "FLASK_MAIL_SERVER" not in os.environ:
        mail_server = start_dev_mail_server(frontend_app)
    # SIGTERM ends the server like Ctrl-C does, so delivery stops cleanly.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    workers.start_all()
    try:
        served = behind_proxies(site, proxy_hops())
        run_simple(host, port, served, threaded=True, use_debugger=debug)
    finally:
        workers.stop_all()
        if mail_server is not None:
            mail_server.stop()


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
    help="Any WSGI app built from DispatcherMiddleware and Flask apps "
    "(default: this site).",
)
def routes_command(as_json, target):
    """Print every route of every app, with its mount prefix."""
    site = load_wsgi(target) if target else create_application()
    found = routes(site)
    if not found:
        raise click.ClickException(f"{target} reaches no Flask app")
    if as_json:
        click.echo(json.dumps([r.as_json() for r in found], indent=2))
    else:
        click.echo(format_table(route_rows(site)))


def load_wsgi(target):
    """Import ``package.module:name`` from the working directory, as flask does."""
    sys.path.insert(0, os.getcwd())
    try:
        return import_string(target.replace(":", ".", 1) if ":" in target else target)
    except ImportStringError as error:
        cause = error.exception
        message = f"cannot import {target!r}: {type(cause).__name__}: {cause}"
        raise click.BadParameter(message, param_hint="--app") from error


@cli.command()
def trace():
    """Push and pop nested contexts of both apps, printing each step."""
    site = create_application()
    scenario.run(site.app, site.mounts["/admin"], echo=click.echo)


if __name__ == "__main__":
    cli()
