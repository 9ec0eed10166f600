"""The nested scenario: one app's request context inside another's, traced.

``run(first, second, echo)`` pushes and pops contexts of two apps and prints,
through ``echo``, each push and pop as it happens and what the proxies
resolve to in between. The endpoints it builds are found in the apps' url
maps, so any two Flask apps that share an endpoint name will do; it traces
both (``trace_app``).
"""

import threading
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request, url_for
from werkzeug.exceptions import HTTPException

from flask_lens import trace_app, tracer
from flask_lens.handoff import start_in_app_context
from flask_lens.printer import TracePrinter


@dataclass(frozen=True)
class Endpoints:
    """What the scenario builds: a name both apps have, and each app's home."""

    shared: str  # registered on each app itself, so it has no blueprint prefix
    first_home: str  # the endpoint of the first app's "/"
    second_home: str


def app_level_endpoints(app):
    """Endpoints registered on the app itself (no blueprint) that take no values."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "." not in rule.endpoint and not rule.arguments
    }


def home_endpoint(app):
    """The endpoint that ``/`` reaches in ``app`` (None if it reaches none)."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match("/", method="GET")
    except HTTPException:
        return None
    return endpoint


def find_endpoints(first, second):
    """Pick the scenario's endpoints from the two apps' url maps."""
    shared = sorted(app_level_endpoints(first) & app_level_endpoints(second))
    if not shared:
        raise ValueError(f"{first.name} and {second.name} share no app endpoint")
    return Endpoints(shared[0], home_endpoint(first), home_endpoint(second))


def show_proxies(printer, *endpoints):
    """Show what current_app, g, request and url_for resolve to now."""
    printer.show("current_app", lambda: current_app.name)
    printer.show("g", lambda: dict(vars(g)))
    printer.show("request.url", lambda: request.url)
    for endpoint in endpoints:
        printer.show(f"url_for({endpoint!r})", lambda e=endpoint: url_for(e))


def run(first, second, echo=print):
    """Run the scenario, printing its steps through ``echo`` (None: quietly).

    Returns the trace of its pushes and pops.
    """
    printer, endpoints = TracePrinter(echo), find_endpoints(first, second)
    trace_app(first), trace_app(second)
    with tracer.recording(listener=printer.event) as trace:
        nested_requests(printer, first, second, endpoints)
        app_context_trap(printer, first, second, endpoints)
        thread_handoff(printer, first)
    trace.marks = printer.marks
    return trace


def nested_requests(printer, first, second, endpoints):
    """Steps 1-4: the second app's request context inside the first's."""
    shared = endpoints.shared
    path = first.url_map.bind("").build(shared)
    printer.step(f"1. Push the {first.name}'s request context (GET {path})")
    with first.test_request_context(path):
        show_proxies(printer, shared)
        g.user = "alice"
        printer.show("g, after g.user = 'alice'", lambda: dict(vars(g)))
        root = second.config["APPLICATION_ROOT"].rstrip("/") + "/"
        title = f"2. Inside it, push the {second.name}'s request context (GET {root})"
        printer.step(title)
        with second.test_request_context("/"):
            show_proxies(printer, shared, endpoints.first_home)
        printer.step(
            f"3. The {second.name}'s contexts popped: the {first.name} is current again"
        )
        show_proxies(printer, shared)
        printer.step(f"4. Leave the {first.name}'s request context")
    printer.show("current_app", lambda: current_app.name)


URL_FOR_WHY = (
    "url_for asks the active request's URL adapter first (the {first}'s); "
    "only outside any request does it use the app context's. Pushing the "
    "{second}'s app context changed current_app, not the request."
)


def app_context_trap(printer, first, second, endpoints):
    """Steps 5-6: an app context alone does not change the URL adapter."""
    printer.step(
        f"5. The trap: in a {first.name} request, push only the {second.name}'s app"
    )
    with first.test_request_context("/"):
        with second.app_context():
            printer.show("current_app", lambda: current_app.name)
            # The request's URL adapter wins: these are the first app's URLs.
            for endpoint in (endpoints.shared, endpoints.second_home):
                printer.show(f"url_for({endpoint!r})", lambda e=endpoint: url_for(e))
            printer.note(URL_FOR_WHY.format(first=first.name, second=second.name))
        printer.step(f"6. The right way: push the {second.name}'s request context")
        with second.test_request_context("/"):
            shared = endpoints.shared
            printer.show(f"url_for({shared!r})", lambda: url_for(shared))


def thread_handoff(printer, app):
    """Step 7: a thread has no context; hand it the real app object."""
    seen = {}

    def look(key):
        # Kept, not raised: the printout shows it as this thread's outcome.
        try:
            seen[key] = describe_thread()
        except RuntimeError as error:
            seen[key] = error

    printer.step("7. Hand work to a thread (its pushes are not in this trace)")
    with app.test_request_context("/"):
        worker = threading.Thread(target=look, args=("wrong",))
        worker.start()
        worker.join()
        start_in_app_context(look, "right").join()
        printer.show("thread given current_app", lambda: outcome(seen["wrong"]))
        printer.show("thread given the real app", lambda: outcome(seen["right"]))


def describe_thread():
    """What a worker thread sees of the contexts."""
    return f"current_app={current_app.name}, request={has_request_context()}"


def outcome(value):
    """Return ``value``, or raise it if a thread kept an error there."""
    if isinstance(value, Exception):
        raise value
    return value
