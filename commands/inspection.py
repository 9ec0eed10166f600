"""``routes`` and ``trace``: the site's routes, and its contexts step by step."""

import click
from flask_lens.cli import echo_routes, load
from flask_lens.scenario import run as run_scenario

from dispatcher import create_site


@click.command("routes")
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


@click.command()
def trace():
    """Push and pop nested contexts of both apps, printing each step."""
    site = create_site()
    run_scenario(site.app, site.apps["/admin"], echo=click.echo)
