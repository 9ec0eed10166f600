"""The nested scenario: one app's request context inside another's, traced.

``run(frontend, admin, echo)`` pushes and pops contexts of the two apps and
prints, through ``echo``, each push and pop as it happens and what the proxies
resolve to in between. ``python dispatcher.py trace`` runs it.
"""

import threading

from flask import current_app, g, has_request_context, request, url_for

from core import tracer
from core.background import start_in_app_context


class Timeline:
    """Prints events indented by their depth, and notes at the current depth."""

    def __init__(self, echo=None):
        self.echo = echo or (lambda line: None)
        self.depth = 0

    def event(self, event):
        """Print a push or pop as it happens."""
        sign = "+" if event.action == "push" else "-"
        url = f"  {event.url}" if event.url else ""
        self.echo(f"{'  ' * event.depth}{sign} {event.kind:<7} {event.app}{url}")
        self.depth = event.depth if event.action == "push" else event.depth - 1

    def step(self, title):
        """Print a numbered step's title."""
        self.echo(f"\n{title}")

    def show(self, label, compute):
        """Print ``label -> value`` (or the error ``compute`` raises)."""
        try:
            value = compute()
        except Exception as error:  # the point is to show what is raised
            value = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        self.echo(f"{'  ' * (self.depth + 1)}{label:<28} -> {value}")


def show_proxies(timeline, *endpoints):
    """Show what current_app, g, request and url_for resolve to now."""
    timeline.show("current_app", lambda: current_app.name)
    timeline.show("g", lambda: dict(vars(g)))
    timeline.show("request.url", lambda: request.url)
    for endpoint in endpoints:
        timeline.show(f"url_for({endpoint!r})", lambda e=endpoint: url_for(e))


def run(frontend, admin, echo=print):
    """Run the scenario, printing its timeline through ``echo`` (None: quietly).

    Returns the trace of its pushes and pops.
    """
    timeline = Timeline(echo)
    with tracer.recording(listener=timeline.event) as trace:
        nested_requests(timeline, frontend, admin)
        app_context_trap(timeline, frontend, admin)
        thread_handoff(timeline, frontend)
    return trace


def nested_requests(timeline, frontend, admin):
    """Steps 1-4: the admin's request context inside the frontend's."""
    timeline.step("1. Push the frontend's request context (GET /hello)")
    with frontend.test_request_context("/hello"):
        show_proxies(timeline, "hello")
        g.user = "alice"
        timeline.show("g, after g.user = 'alice'", lambda: dict(vars(g)))
        timeline.step("2. Inside it, push the admin's request context (GET /admin/)")
        with admin.test_request_context("/"):
            show_proxies(timeline, "hello", "main.index")
        timeline.step("3. The admin's contexts popped: the frontend is current again")
        show_proxies(timeline, "hello")
        timeline.step("4. Leave the frontend's request context")
    timeline.show("current_app", lambda: current_app.name)


def app_context_trap(timeline, frontend, admin):
    """Steps 5-6: an app context alone does not change the URL adapter."""
    timeline.step("5. The trap: in a frontend request, push only the admin's app")
    with frontend.test_request_context("/"):
        with admin.app_context():
            timeline.show("current_app", lambda: current_app.name)
            # The request's URL adapter wins: these are the frontend's URLs.
            timeline.show("url_for('hello')", lambda: url_for("hello"))
            timeline.show(
                "url_for('dashboard.index')", lambda: url_for("dashboard.index")
            )
        timeline.step("6. The right way: push the admin's request context")
        with admin.test_request_context("/"):
            timeline.show("url_for('hello')", lambda: url_for("hello"))


def thread_handoff(timeline, frontend):
    """Step 7: a thread has no context; hand it the real app object."""
    seen = {}

    def look(key):
        # Kept, not raised: the timeline shows it as this thread's outcome.
        try:
            seen[key] = describe_thread()
        except RuntimeError as error:
            seen[key] = error

    timeline.step("7. Hand work to a thread (its pushes are not in this trace)")
    with frontend.test_request_context("/"):
        worker = threading.Thread(target=look, args=("wrong",))
        worker.start()
        worker.join()
        start_in_app_context(look, "right").join()
        timeline.show("thread given current_app", lambda: outcome(seen["wrong"]))
        timeline.show("thread given the real app", lambda: outcome(seen["right"]))


def describe_thread():
    """What a worker thread sees of the contexts."""
    return f"current_app={current_app.name}, request={has_request_context()}"


def outcome(value):
    """Return ``value``, or raise it if a thread kept an error there."""
    if isinstance(value, Exception):
        raise value
    return value
