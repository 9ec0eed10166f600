"""Which app and request context is active, in what order they push and pop."""

import contextvars

import flask
import flask_lens
import flask_lens._flask
import pytest
from flask import (
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    url_for,
)
from flask_lens import scenario, tracer
from werkzeug.routing import BuildError

import frontend


def steps(trace):
    """The pushes and pops of a trace as (action, kind, app, depth) tuples
    (tests/test_tracer.py looks at the teardowns between them)."""
    return [
        (e.action, e.kind, e.app, e.depth)
        for e in trace.events
        if e.action != "teardown"
    ]


def test_a_request_context_pushes_its_app_context_first(frontend_app):
    with tracer.recording() as trace:
        with frontend_app.test_request_context("/hello"):
            pass
    assert steps(trace) == [
        ("push", "app", "frontend", 1),
        ("push", "request", "frontend", 2),
        ("pop", "request", "frontend", 2),
        ("pop", "app", "frontend", 1),
    ]
    assert trace.events[1].url == "http://localhost/hello"


def test_nested_request_of_the_same_app_pushes_no_app_context(frontend_app):
    with tracer.recording() as trace:
        with frontend_app.test_request_context("/"):
            with frontend_app.test_request_context("/hello"):
                assert request.path == "/hello"
            assert request.path == "/"
    assert steps(trace) == [
        ("push", "app", "frontend", 1),
        ("push", "request", "frontend", 2),
        ("push", "request", "frontend", 3),
        ("pop", "request", "frontend", 3),
        ("pop", "request", "frontend", 2),
        ("pop", "app", "frontend", 1),
    ]


def test_another_apps_request_pushes_its_own_app_context(frontend_app, admin_app):
    with tracer.recording() as trace:
        with frontend_app.test_request_context("/"):
            with admin_app.test_request_context("/"):
                pass
    assert steps(trace) == [
        ("push", "app", "frontend", 1),
        ("push", "request", "frontend", 2),
        ("push", "app", "admin", 3),
        ("push", "request", "admin", 4),
        ("pop", "request", "admin", 4),
        ("pop", "app", "admin", 3),
        ("pop", "request", "frontend", 2),
        ("pop", "app", "frontend", 1),
    ]


def test_app_context_alone(admin_app):
    with tracer.recording() as trace:
        with admin_app.app_context():
            assert has_app_context() and not has_request_context()
    assert steps(trace) == [("push", "app", "admin", 1), ("pop", "app", "admin", 1)]


def test_nothing_is_recorded_outside_a_recording(frontend_app):
    with tracer.recording() as trace:
        pass
    with frontend_app.test_request_context("/"):
        pass
    assert trace.events == []


def test_proxies_before_inside_and_after_nesting(frontend_app, admin_app):
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        _ = current_app.name
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        _ = request.path
    with frontend_app.test_request_context("/hello?x=1"):
        g.user = "alice"
        session["cart"] = "frontend"
        assert (current_app.name, request.path) == ("frontend", "/hello")
        with admin_app.test_request_context("/context"):
            assert current_app.name == "admin"
            assert request.path == "/context" and request.script_root == "/admin"
            assert "user" not in g
            assert "cart" not in session
        assert (current_app.name, request.args["x"]) == ("frontend", "1")
        assert g.user == "alice"
        assert session["cart"] == "frontend"
    assert not has_app_context() and not has_request_context()


def test_url_for_follows_the_active_app(frontend_app, admin_app):
    with frontend_app.test_request_context("/"):
        assert url_for("hello") == "/hello"
        with admin_app.test_request_context("/"):
            assert url_for("hello") == "/admin/hello"
            with pytest.raises(BuildError):
                url_for("user.profile", nickname="alice")
        assert url_for("user.profile", nickname="alice") == "/user/alice"


def test_an_app_context_inside_a_request_keeps_the_requests_urls(
    frontend_app, admin_app
):
    with frontend_app.test_request_context("/"):
        with admin_app.app_context():
            assert current_app.name == "admin"
            assert url_for("hello") == "/hello"  # the frontend's: the trap
            with pytest.raises(BuildError):
                url_for("dashboard.index")


def test_url_for_outside_a_request(frontend_app, admin_app):
    with admin_app.app_context():
        with pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
            url_for("hello")
    admin_app.config["SERVER_NAME"] = "example.test"
    frontend_app.config["SERVER_NAME"] = "example.test"
    with admin_app.app_context():
        assert url_for("hello", _external=False) == "/admin/hello"
        assert url_for("hello") == "http://example.test/admin/hello"
    with frontend_app.app_context():
        assert url_for("hello") == "http://example.test/hello"


def in_fresh_context(func):
    """Run ``func`` in a copy of the context, so a corrupted stack stays there."""
    return contextvars.copy_context().run(func)


def push_two_then_pop_the_outer(outer, inner):
    """Push ``outer`` then ``inner``, then pop ``outer`` first: the wrong order."""
    outer.push()
    inner.push()
    outer.pop()


def test_popping_the_wrong_request_context_fails_loudly(frontend_app):
    outer = frontend_app.test_request_context("/")
    inner = frontend_app.test_request_context("/hello")
    with pytest.raises(AssertionError, match="Popped wrong request context"):
        in_fresh_context(lambda: push_two_then_pop_the_outer(outer, inner))


def test_popping_another_apps_request_context_fails_on_its_app_context(
    frontend_app, admin_app
):
    # RequestContext.pop pops its own app context before it checks the order.
    outer = frontend_app.test_request_context("/")
    inner = admin_app.test_request_context("/")
    with pytest.raises(AssertionError, match="Popped wrong app context"):
        in_fresh_context(lambda: push_two_then_pop_the_outer(outer, inner))


def test_popping_the_wrong_app_context_fails_loudly(frontend_app, admin_app):
    outer, inner = frontend_app.app_context(), admin_app.app_context()
    with pytest.raises(AssertionError, match="Popped wrong app context"):
        in_fresh_context(lambda: push_two_then_pop_the_outer(outer, inner))
    assert not has_app_context()  # the damage stayed in the copied context


@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_context_page_shows_its_own_trace(both_logged_in, prefix):
    name = "admin" if prefix else "frontend"
    info = both_logged_in.get(f"{prefix}/context?n=7").get_json()
    url = f"http://localhost{prefix}/context?n=7"
    assert [(e["action"], e["kind"], e["app"], e["url"]) for e in info["trace"]] == [
        ("push", "app", name, None),
        ("push", "request", name, url),
        ("before_request", "request", name, None),
        ("view", "request", name, None),
        ("after_request", "request", name, None),
        ("teardown", "request", name, None),
        ("pop", "request", name, url),
        ("teardown", "app", name, None),
        ("pop", "app", name, None),
    ]
    notes = [e["note"] for e in info["trace"]]
    assert "CSRFProtect.init_app.<locals>.csrf_protect" in notes[2]
    assert notes[3] == ("dashboard" if prefix else "main") + ".context: context"
    assert "Limiter.__inject_headers" in notes[4]  # a partial, by its function
    assert "SQLAlchemy._teardown_session" in notes[7]


def test_tracing_can_be_turned_off(frontend_config):
    app = frontend.create_app({**frontend_config, "TRACE_CONTEXTS": False})
    assert app.test_client().get("/context").get_json()["trace"] is None
    # A plain Flask app, running none of the tracer's code: its wsgi_app is
    # Flask's own, and a recording sees nothing of it.
    assert type(app) is flask.Flask
    assert "wsgi_app" not in vars(app)
    with tracer.recording() as trace:
        with app.test_request_context("/"):
            pass
    assert trace.events == []


def two_small_apps():
    """Two apps that are not this site's, each with a home and a ``ping``."""
    apps = []
    for name, root in (("shop", "/"), ("office", "/office")):
        app = flask.Flask(name)
        app.config["APPLICATION_ROOT"] = root
        app.add_url_rule("/", f"{name}_home", lambda: "home")
        app.add_url_rule("/ping", "ping", lambda: "pong")
        apps.append(app)
    return apps


def test_the_scenario_runs_on_any_two_apps():
    shop, office = two_small_apps()
    lines = []
    scenario.run(shop, office, echo=lines.append)
    shown = [line.strip() for line in lines]
    assert "1. Push the shop's request context (GET /ping)" in shown
    assert "2. Inside it, push the office's request context (GET /office/)" in shown
    assert ["url_for('ping')", "->", "/office/ping"] in [ln.split() for ln in shown]
    assert any(line.startswith("url_for('shop_home')") for line in shown)
    assert any(line.startswith("url_for('office_home')") for line in shown)


def test_the_scenario_needs_an_endpoint_both_apps_have():
    shop, office = two_small_apps()
    office.url_map = flask.Flask("empty").url_map
    with pytest.raises(ValueError, match="shop and office share no app endpoint"):
        scenario.run(shop, office, echo=None)


def test_on_a_flask_the_tracer_does_not_know_tracing_refuses_at_start(
    monkeypatch, frontend_config
):
    monkeypatch.setattr(flask_lens._flask, "flask_version", lambda: "3.2.0")
    with pytest.raises(flask_lens.UnsupportedFlask, match="Flask 3.1 only"):
        frontend.create_app(frontend_config)  # TRACE_CONTEXTS on: refused
    app = frontend.create_app({**frontend_config, "TRACE_CONTEXTS": False})
    assert app.test_client().get("/hello").status_code == 200  # off: plain Flask
