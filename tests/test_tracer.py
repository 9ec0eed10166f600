"""The tracer at the edges: tasks, teardowns, failed pushes, wrong-order pops,
streamed bodies. Each test checks the trace against what Flask really did."""

import asyncio
import contextvars
import gc
import hashlib
import inspect
import weakref

import flask
import pytest
from flask import Response, has_request_context, request, stream_with_context
from flask_lens import record_requests, trace_app, tracer

import frontend

# The digest of Flask 3.1.3's RequestContext.pop source (see the last test).
FLASK_POP_DIGEST = "2722557a094cf9a3"


# One request's contexts, as they really go.
ONE_REQUEST = [
    ("push", "app"),
    ("push", "request"),
    ("teardown", "request"),
    ("pop", "request"),
    ("teardown", "app"),
    ("pop", "app"),
]
PUSH_POP = ("push", "pop")
# The same, dispatched to a view (a real request, not test_request_context).
DISPATCHED = [*ONE_REQUEST[:2], ("view", "request"), *ONE_REQUEST[2:]]


def steps(events):
    """Events as (action, kind, app, depth) tuples, teardowns included."""
    return [(e.action, e.kind, e.app, e.depth) for e in events]


def small_app(name="shop"):
    """A traced app that is not this site's, logging its teardown callbacks."""
    app = trace_app(flask.Flask(name))
    app.log = []

    @app.teardown_request
    def close_request(error):
        app.log.append(("teardown_request", has_request_context(), repr(error)))

    @app.teardown_appcontext
    def close_app(error):
        app.log.append(("teardown_appcontext", has_request_context(), repr(error)))

    return app


def test_tasks_in_one_recording_each_push_at_their_own_depth(frontend_app):
    # Each task pushes an app context at depth 1, while the other's is open.
    both_pushed = asyncio.Event()
    pushed = []

    async def work():
        with frontend_app.app_context():
            pushed.append(1)
            if len(pushed) == 2:
                both_pushed.set()
            await both_pushed.wait()

    async def main():
        with tracer.recording() as trace:
            await asyncio.gather(work(), work())
        return trace

    trace = asyncio.run(main())
    depths = [(e.action, e.depth) for e in trace.events if e.action != "teardown"]
    assert depths == [("push", 1), ("push", 1), ("pop", 1), ("pop", 1)]


def test_teardowns_run_between_the_pops_while_their_context_is_active():
    app = small_app()
    with tracer.recording() as trace:
        with pytest.raises(ZeroDivisionError):
            with app.test_request_context("/"):
                raise ZeroDivisionError("division by zero")
    assert steps(trace.events) == [
        ("push", "app", "shop", 1),
        ("push", "request", "shop", 2),
        ("teardown", "request", "shop", 2),
        ("pop", "request", "shop", 2),
        ("teardown", "app", "shop", 1),
        ("pop", "app", "shop", 1),
    ]
    assert trace.events[2].note.endswith("close_request")
    assert trace.events[4].note.endswith("close_app")
    error = "ZeroDivisionError('division by zero')"
    assert app.log == [  # both get the exception; only the first sees the request
        ("teardown_request", True, error),
        ("teardown_appcontext", False, error),
    ]


class BrokenSessions(flask.sessions.SecureCookieSessionInterface):
    """A session store that is down."""

    def open_session(self, app, request):
        raise KeyError("the session store is down")


def test_a_push_whose_session_fails_is_recorded_and_gets_the_500_page(
    frontend_config,
):
    app = frontend.create_app({**frontend_config, "PROPAGATE_EXCEPTIONS": False})
    app.session_interface = BrokenSessions()
    environ = flask.testing.EnvironBuilder(app, "/hello").get_environ()
    statuses = []
    body = app(environ, lambda status, headers: statuses.append(status))
    page = b"".join(body).decode()
    body.close()
    assert statuses == ["500 INTERNAL SERVER ERROR"]
    assert "Back to the home page" in page  # the frontend's own error page
    events = environ[tracer.ENVIRON_KEY].events
    pushes = [
        (e.action, e.kind, e.depth) for e in events if e.action in ("push", "pop")
    ]
    assert pushes == [
        ("push", "app", 1),
        ("push", "request", 2),
        ("pop", "request", 2),
        ("pop", "app", 1),
    ]
    assert "then raised KeyError" in events[1].note
    [handled] = [e for e in events if e.action == "error_handler"]
    assert handled.note == "unhandled KeyError: 'the session store is down': 500"


def test_a_wrong_order_pop_records_the_pops_that_happened(frontend_app, admin_app):
    outer = frontend_app.test_request_context("/")
    inner = admin_app.test_request_context("/")

    def pop_the_outer_first():
        with tracer.recording() as trace:
            outer.push()
            inner.push()
            with pytest.raises(AssertionError, match="Popped wrong app context"):
                outer.pop()
        return trace

    # A copy of the context: the broken state stays in it.
    trace = contextvars.copy_context().run(pop_the_outer_first)
    pops = [(e.action, e.kind, e.app, e.note) for e in trace.events[4:]]
    pops = [p for p in pops if p[0] == "pop"]
    assert [p[:3] for p in pops] == [
        ("pop", "request", "frontend"),
        ("pop", "app", "frontend"),  # unbound, then Flask raised
    ]
    assert pops[0][3] == "popped while another request context was on top"
    assert pops[1][3].startswith("raised AssertionError: Popped wrong app context")


def streaming_app():
    """A traced app whose page streams its body with the request's contexts."""
    app = record_requests(small_app())

    @app.get("/stream")
    def stream():
        def chunks():
            yield f"path={request.path}"

        return Response(stream_with_context(chunks()))

    return app


def test_stream_with_context_pushes_both_contexts_again_while_the_body_is_read():
    app = streaming_app()
    environ = flask.testing.EnvironBuilder(app, "/stream").get_environ()
    body = app(environ, lambda status, headers: None)
    trace = environ[tracer.ENVIRON_KEY]
    before_reading = len(trace.events)
    assert b"".join(body) == b"path=/stream"
    body.close()
    kinds = [(e.action, e.kind) for e in trace.events]
    assert kinds == DISPATCHED + ONE_REQUEST  # the view's, then the body's
    assert before_reading == 7
    assert [entry[0] for entry in app.log].count("teardown_request") == 2


def test_with_client_pushes_the_contexts_again_and_keeps_them_open():
    app = small_app()
    app.add_url_rule("/hello", "hello", lambda: "hello")
    with tracer.recording() as trace:
        with app.test_client() as client:
            client.get("/hello")
            assert request.path == "/hello"  # still open after the request
            while_open = [(e.action, e.kind) for e in trace.events]
    # The request pushes and pops as always; the client then pushes the same
    # two contexts again, and pops them (teardowns again) when the block ends.
    assert while_open == [*DISPATCHED, ("push", "app"), ("push", "request")]
    assert [e.action for e in trace.events[len(while_open) :]] == [
        "teardown",
        "pop",
        "teardown",
        "pop",
    ]
    assert [entry[0] for entry in app.log].count("teardown_request") == 2


def test_the_copied_pop_is_flasks_own():
    # TracedRequestContext.pop is Flask 3.1's, with one line added: a new
    # Flask changes this digest, and the copy must be checked against it.
    source = inspect.getsource(flask.ctx.RequestContext.pop)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == FLASK_POP_DIGEST, "Flask's RequestContext.pop changed"


def test_a_request_is_recorded_with_its_url_as_sent(frontend_app):
    environ = flask.testing.EnvironBuilder(
        frontend_app, "/user/café", query_string="a=1&b=%2F"
    ).get_environ()
    body = frontend_app(environ, lambda status, headers: None)
    body.close()
    urls = {e.url for e in environ[tracer.ENVIRON_KEY].events if e.url}
    assert urls == {"http://localhost/user/caf%C3%A9?a=1&b=%2F"}


def test_a_push_whose_receiver_raises_is_recorded_as_flask_left_it_bound():
    app = small_app()

    def refuse(sender, **extra):
        raise LookupError("no tenant")

    def push_with_a_failing_receiver():
        with tracer.recording() as trace:
            with flask.appcontext_pushed.connected_to(refuse, app):
                with pytest.raises(LookupError):
                    app.app_context().push()
            assert flask.current_app.name == "shop"  # Flask left it bound
        return trace

    trace = contextvars.copy_context().run(push_with_a_failing_receiver)
    assert steps(trace.events) == [("push", "app", "shop", 1)]
    assert trace.events[0].note == "then raised LookupError: no tenant"


def push_request(app):
    """Push a new request context of ``app``; return it."""
    ctx = app.test_request_context("/")
    ctx.push()
    return ctx


WRONG_ORDER = {
    # name: (the contexts pushed, in order; which of them is popped first)
    "same app": (lambda a, b: [push_request(a), push_request(a)], 0),
    "two apps": (lambda a, b: [push_request(a), push_request(b)], 0),
    "two app contexts": (lambda a, b: [a.app_context(), b.app_context()], 0),
}


@pytest.mark.parametrize("case", WRONG_ORDER)
def test_after_a_wrong_order_pop_depths_are_what_flask_has_bound(case):
    first, second = small_app("first"), small_app("second")
    push_all, popped = WRONG_ORDER[case]

    def pop_the_outer_first():
        with tracer.recording() as trace:
            contexts = push_all(first, second)
            for ctx in contexts:
                if isinstance(ctx, flask.ctx.AppContext):
                    ctx.push()
            with pytest.raises(AssertionError, match="Popped wrong"):
                contexts[popped].pop()
            # Resetting the outer token unbound the inner context too.
            assert not flask.has_app_context() and not flask.has_request_context()
            later = len(trace.events)
            with first.test_request_context("/later"):
                assert flask.request.path == "/later"
        return trace.events[later:]

    later = contextvars.copy_context().run(pop_the_outer_first)
    assert steps(later) == [  # the tracer said 2/3/1 deeper before the fix
        ("push", "app", "first", 1),
        ("push", "request", "first", 2),
        ("teardown", "request", "first", 2),
        ("pop", "request", "first", 2),
        ("teardown", "app", "first", 1),
        ("pop", "app", "first", 1),
    ]


def test_recording_inside_an_open_context_counts_it():
    app = small_app()
    with app.app_context():
        with tracer.recording() as trace:
            with app.test_request_context("/"):  # reuses the open app context
                assert flask.current_app._get_current_object() is app
    assert steps(trace.events) == [
        ("push", "request", "shop", 2),  # before the fix: depth 1
        ("teardown", "request", "shop", 2),
        ("pop", "request", "shop", 2),
    ]


def test_contexts_pushed_while_an_exception_is_handled_are_not_noted_as_raising():
    app = small_app()
    with tracer.recording() as trace:
        try:
            raise ValueError("handled before the push")
        except ValueError:
            with app.test_request_context("/"):
                pass
    assert [e.note for e in trace.events if e.action != "teardown"] == [None] * 4


def test_teardown_callbacks_are_noted_in_the_order_flask_runs_them():
    app = small_app()
    shelf = flask.Blueprint("shelf", __name__)
    ran = []

    @shelf.teardown_request
    def shelf_first(error):
        ran.append("shelf_first")

    @shelf.teardown_request
    def shelf_second(error):
        ran.append("shelf_second")

    @app.teardown_request
    def app_own(error):
        ran.append("app_own")

    shelf.add_url_rule("/shelf", "items", lambda: "items")
    app.register_blueprint(shelf)
    with tracer.recording() as trace:
        assert app.test_client().get("/shelf").text == "items"
    [teardown] = [
        e for e in trace.events if e.action == "teardown" and e.kind == "request"
    ]
    noted = [name.rsplit(".", 1)[-1] for name in teardown.note.split(", ")]
    # What Flask ran: the blueprint's (last registered first), then the
    # app's (small_app's close_request was registered before app_own).
    assert ran == ["shelf_second", "shelf_first", "app_own"]
    assert noted == [*ran, "close_request"]  # before the fix: the app's first


def test_the_tracer_keeps_no_app_alive_once_its_owner_drops_it():
    # A test suite builds an app per test: the tracer's cache of callback
    # names held the callbacks, and through them every app it had seen.
    def serve_once_and_drop():
        app = small_app()
        app.before_request(lambda: None)
        app.add_url_rule("/", "index", lambda: "index")
        with tracer.recording() as trace:
            assert app.test_client().get("/").text == "index"
        assert any(e.note for e in trace.events)  # the callbacks were named
        return weakref.ref(app)

    app = serve_once_and_drop()
    gc.collect()
    assert app() is None


def test_a_requests_lifecycle_is_recorded_in_the_order_flask_runs_it():
    app = small_app()
    shelf = flask.Blueprint("shelf", __name__)
    ran = []

    @app.before_request
    def app_first():
        ran.append("before_request")

    @shelf.before_request
    def shelf_second():
        ran.append("before_request")

    @shelf.route("/boom")
    def boom():
        ran.append("view")
        raise KeyError("cart")

    @app.errorhandler(KeyError)
    def answer_key_error(error):
        ran.append("error_handler")
        return "no such cart", 409

    @app.after_request
    def app_after(response):
        ran.append("after_request")
        return response

    app.register_blueprint(shelf)
    with tracer.recording() as trace:
        assert app.test_client().get("/boom").status_code == 409
    steps_run = [e for e in trace.events if e.action not in ("push", "pop")]
    # The order Flask ran them in, each once (the two before_request
    # callbacks are one step), then the teardowns.
    assert [e.action for e in steps_run] == [
        *dict.fromkeys(ran),
        "teardown",
        "teardown",
    ]
    notes = {e.action: e.note for e in steps_run}
    assert [n.rsplit(".", 1)[-1] for n in notes["before_request"].split(", ")] == [
        "app_first",
        "shelf_second",
    ]
    assert notes["view"].startswith("shelf.boom: ")
    assert notes["error_handler"] == "KeyError: 'cart'"
    assert notes["after_request"].endswith("app_after")
    assert all(e.depth == 2 for e in steps_run[:-1])  # inside the request


def test_a_url_without_a_rule_goes_from_the_hooks_to_the_404_handler():
    app = small_app()
    with tracer.recording() as trace:
        assert app.test_client().get("/nowhere").status_code == 404
    actions = [e.action for e in trace.events if e.action not in ("push", "pop")]
    assert actions == ["error_handler", "teardown", "teardown"]  # no view
    assert trace.events[2].note == "NotFound (404)"
