"""``deliver``: mail delivery and the periodic jobs in a process of their own."""

import logging
import signal
import threading

import click

from core import schema
from core.prepare import prepare
from core.serving import settle
from dispatcher import create_site


@click.command()
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
