"""The sites the benchmarks measure, each on a fresh SQLite file (or the URL
given), with the rate limits off as for any load test, and two users: bob
follows alice, and is logged into both apps."""

import tempfile

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client, EnvironBuilder

from core.prepare import prepare
from dispatcher import create_site
from harness.accounts import (
    ADMIN_PASSWORD_HASH,
    CHEAP_HASH,
    Account,
    AdminAccount,
    submit,
)
from harness.databases import migrated_sqlite


def fresh_sqlite():
    """The path of a new SQLite file at the newest migration (13 of them in
    a mail run)."""
    return migrated_sqlite(f"{tempfile.mkdtemp()}/site.sqlite")


def config(database_url=None, **extra):
    """Both apps' config: a fresh database, mail sent by nobody, passwords
    hashed cheaply (no figure measures a login; scrypt took 0.1 s of CPU
    for every user a figure registers)."""
    common = {"TESTING": True, "RATELIMIT_ENABLED": False, "MAIL_DELIVERY": False}
    common |= {"PASSWORD_HASH_METHOD": CHEAP_HASH, **extra}
    if database_url:
        common["DATABASE_URL"] = database_url
    else:
        common["DATABASE"] = fresh_sqlite()
    front = {**common, "SECRET_KEY": "bench-frontend"}
    back = {**common, "SECRET_KEY": "bench-admin"}
    return front, back | {"ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH}


def site_with_users(database_url=None, **extra):
    """The combined site with bob following alice; return it and bob's cookie
    header (both apps' sessions)."""
    site = create_site(*config(database_url, **extra))
    prepare(site.apps.values())
    bob = Client(site)
    Account(Client(site)).register("alice")
    Account(bob).register("bob")
    submit(bob, "/follow/alice", {}, form_url="/user/alice")
    AdminAccount(bob, "/admin").login()
    cookies = [
        bob.get_cookie("frontend_session"),
        bob.get_cookie("admin_session", path="/admin"),
    ]
    return site, "; ".join(f"{c.key}={c.value}" for c in cookies)


def environ(path, cookie="", method="GET"):
    """A prepared WSGI environ for ``path``, with ``cookie``."""
    headers = {"Cookie": cookie} if cookie else {}
    return EnvironBuilder(path=path, method=method, headers=headers).get_environ()


def with_mounts(site, count):
    """The same two apps, with ``count`` more (empty) mounts beside the admin."""
    mounts = {f"/extra{n}": site.mounts["/admin"] for n in range(count)}
    return DispatcherMiddleware(site.app, {**mounts, **site.mounts})
