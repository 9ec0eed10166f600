"""One side of bench/profile_page.py: time the profile page of this tree's site.

    PYTHONPATH=TREE python bench/profile_side.py REQUESTS [DATABASE_URL]

Prints the seconds per request as JSON. It imports only the site under test
(``dispatcher``, ``harness.accounts``), so it runs on older trees too.
"""

import json
import sys
import tempfile
import time

from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

import dispatcher
from harness.accounts import Account, submit


def build_site(front, back):
    """The tree's site, ready to serve: older trees call the factory
    create_application and migrate as they build; newer ones create_site,
    then prepare."""
    if not hasattr(dispatcher, "create_site"):
        return dispatcher.create_application(front, back)
    from core.prepare import prepare  # noqa: PLC0415 (newer trees only)

    site = dispatcher.create_site(front, back)
    prepare(site.apps.values())
    return site


def measure(requests, database_url=None):
    """Seconds per profile request, bob viewing alice's profile."""
    folder = tempfile.mkdtemp()
    # Mail delivery off on both trees (the old one called it MAIL_SENDER).
    common = {"TESTING": True, "DATABASE": f"{folder}/site.sqlite"}
    common |= {"MAIL_SENDER": False, "MAIL_DELIVERY": False}
    if database_url:
        common["DATABASE_URL"] = database_url
    site = build_site({**common, "SECRET_KEY": "f"}, {**common, "SECRET_KEY": "a"})
    bob = Client(site)
    Account(bob).register("bob")
    Account(Client(site)).register("alice")
    submit(bob, "/follow/alice", {}, form_url="/user/alice")
    cookie = bob.get_cookie("frontend_session").value
    environ = EnvironBuilder(
        path="/user/alice", headers={"Cookie": f"frontend_session={cookie}"}
    ).get_environ()
    for _ in range(50):  # warm up: templates, pools
        run_wsgi_app(site, environ.copy(), buffered=True)
    start = time.perf_counter()
    for _ in range(requests):
        status = run_wsgi_app(site, environ.copy(), buffered=True)[1]
    elapsed = time.perf_counter() - start
    assert status == "200 OK", status
    return elapsed / requests


if __name__ == "__main__":
    url = sys.argv[2] if len(sys.argv) > 2 else None
    print(json.dumps(measure(int(sys.argv[1]), url or None)))
