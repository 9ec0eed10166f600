"""The ``flask-lens`` command: the routes of a site, and how a path finds its view.

    flask-lens routes module:attr [--json]
    flask-lens resolve module:attr /path [--method POST]

Run it from the target project's folder, as ``flask --app``: the folder is
put on ``sys.path``; ``module`` alone means its ``application`` or ``app``.
"""

import json
import os
import sys
from importlib import import_module

import click

from flask_lens.reach import reach
from flask_lens.resolve import resolve
from flask_lens.routes import format_table, route_rows, routes

DEFAULT_NAMES = ("application", "app")


def load(target: str):
    """Import ``module:attr`` (or ``module``'s application or app) from the
    working directory; a failure is a one-line ClickException, whatever the
    target raised while it was imported."""
    sys.path.insert(0, os.getcwd())
    module_name, _, attr = target.partition(":")
    try:
        module = import_module(module_name)
    except Exception as error:  # the target's own code: any error at all
        raise click.ClickException(
            f"cannot import {module_name!r}: {type(error).__name__}: {error}"
        ) from error
    for name in [attr] if attr else DEFAULT_NAMES:
        wsgi = getattr(module, name, None)
        if wsgi is not None:
            return wsgi
    wanted = attr or " or ".join(DEFAULT_NAMES)
    raise click.ClickException(f"{module_name!r} has no {wanted}")


@click.group()
@click.version_option(package_name="flask-lens")
def cli():
    """See inside a Flask site: its routes, and how a URL finds its view."""


@cli.command("routes")
@click.argument("target", metavar="MODULE:ATTR")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per route.")
def routes_command(target, as_json):
    """Every route of every Flask app TARGET reaches, with its prefix."""
    echo_routes(load(target), target, as_json)


def echo_routes(wsgi, name: str, as_json: bool = False):
    """Print the routes of ``wsgi`` (called ``name`` in an error) as a table
    or as JSON, and on standard error what the walk could not follow."""
    found = reach(wsgi)
    for note in found.notes:
        click.echo(f"note: {note}", err=True)
    if not found.apps:
        raise click.ClickException(f"{name} reaches no Flask app")
    if as_json:
        click.echo(json.dumps([r.as_json() for r in routes(wsgi)], indent=2))
    else:
        click.echo(format_table(route_rows(wsgi)))


@cli.command("resolve")
@click.argument("target", metavar="MODULE:ATTR")
@click.argument("path")
@click.option("--method", default="GET", show_default=True)
@click.option("--base-url", default="http://localhost/", show_default=True)
def resolve_command(target, path, method, base_url):
    """How METHOD PATH finds its view through TARGET."""
    if not path.startswith("/"):
        raise click.BadParameter("a path starts with /, like /hello", param_hint="PATH")
    result = resolve(load(target), path, method.upper(), base_url)
    for line in describe(result):
        click.echo(line)
    if result.status >= 400:
        sys.exit(1)


def describe(result):
    """The lines ``flask-lens resolve`` prints for a Resolution."""
    yield f"{result.method} {result.path}"
    for hop in result.hops:
        mounts = ", ".join(repr(m) for m in hop.mounts)
        yield f"  dispatcher [{mounts}] chose {hop.mount or '(its default app)'!r}"
        yield f"    SCRIPT_NAME={hop.script_name!r} PATH_INFO={hop.path_info!r}"
    if result.app:
        yield f"  app: {result.app}"
    if result.rule:
        yield f"  rule: {result.rule}  arguments: {result.arguments}"
        yield f"  endpoint: {result.endpoint}  view: {result.view}"
        yield f"  url_for({result.endpoint!r}, ...) -> {result.built}"
    yield f"  status: {result.status}" + (f" ({result.why})" if result.why else "")


def main():
    """The console script's entry point."""
    cli(prog_name="flask-lens")
