"""``serve``: the development server, with mail delivery and, unless a real
one is configured, a local SMTP server."""

import os
import signal
import sys
from pathlib import Path

import click
from flask.helpers import get_debug_flag
from werkzeug.serving import run_simple

from admin.auth import ensure_credentials
from core import schema
from core.serving import served, settle
from dispatcher import create_site


@click.command()
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
