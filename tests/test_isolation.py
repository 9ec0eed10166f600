"""Isolation between threads and asyncio tasks: werkzeug's locals and our tracer."""

import asyncio
import threading
from types import SimpleNamespace

import pytest
from flask import copy_current_request_context, current_app, g, has_request_context
from flask_lens import tracer
from flask_lens.handoff import start_in_app_context
from werkzeug.local import Local, LocalProxy, LocalStack


def run_in_thread(func):
    """Run ``func`` in a new thread; return what it returned or raised."""
    outcome = {}

    def target():
        try:
            outcome["value"] = func()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return outcome


def test_local_is_per_thread():
    # The source texts' threading.local example, with werkzeug's Local.
    local = Local()
    local.value = 42

    def worker():
        assert not hasattr(local, "value")
        local.value = 11
        return local.value

    assert run_in_thread(worker) == {"value": 11}
    assert local.value == 42


def test_local_stack_and_proxy_are_per_thread():
    # How current_app used to be built: a proxy to the top of a local stack.
    stack = LocalStack()
    app_name = LocalProxy(stack, "name")  # the name of this thread's top item
    frontend = SimpleNamespace(name="frontend")
    stack.push(frontend)

    def worker():
        assert stack.top is None
        stack.push(SimpleNamespace(name="admin"))
        return str(app_name)

    assert run_in_thread(worker) == {"value": "admin"}
    assert str(app_name) == "frontend"
    assert stack.pop() is frontend
    with pytest.raises(RuntimeError, match="object is not bound"):
        str(app_name)


def test_local_is_per_asyncio_task():
    local = Local()

    async def task(value):
        local.value = value
        await asyncio.sleep(0)  # let the other task run and set its own value
        return local.value

    async def main():
        local.value = 42
        results = await asyncio.gather(task(11), task(7))
        return results, local.value

    assert asyncio.run(main()) == ([11, 7], 42)


def pushes_and_pops(trace):
    """The trace's events but its teardowns."""
    return [e for e in trace.events if e.action != "teardown"]


def test_traces_of_concurrent_threads_never_mix(frontend_app, admin_app):
    barrier = threading.Barrier(2)
    traces = {}

    def worker(app):
        with tracer.recording() as trace:
            with app.test_request_context("/"):
                barrier.wait()  # both threads are inside their contexts now
            traces[app.name] = trace

    threads = [
        threading.Thread(target=worker, args=(a,)) for a in (frontend_app, admin_app)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, trace in traces.items():
        assert {e.app for e in trace.events} == {name}
        assert [e.depth for e in pushes_and_pops(trace)] == [1, 2, 2, 1]


def test_traces_of_concurrent_tasks_never_mix(frontend_app, admin_app):
    async def handle(app):
        with tracer.recording() as trace:
            with app.test_request_context("/"):
                await asyncio.sleep(0.01)  # the other task pushes meanwhile
        return [(e.action, e.kind, e.app) for e in pushes_and_pops(trace)]

    async def main():
        return await asyncio.gather(handle(frontend_app), handle(admin_app))

    front, back = asyncio.run(main())
    assert {app for _, _, app in front} == {"frontend"} and len(front) == 4
    assert {app for _, _, app in back} == {"admin"} and len(back) == 4


def test_a_thread_given_the_proxy_fails(frontend_app):
    with frontend_app.test_request_context("/"):
        proxy = current_app  # the proxy, not the app: it resolves in the thread
        outcome = run_in_thread(lambda: proxy.name)
    assert isinstance(outcome["error"], RuntimeError)
    assert str(outcome["error"]).startswith("Working outside of application context.")


def test_a_thread_given_the_real_app_pushes_its_own_context(frontend_app):
    seen = {}

    def work(label):
        g.job = label
        seen.update(
            app=current_app.name, request=has_request_context(), g=dict(vars(g))
        )

    with frontend_app.test_request_context("/"):
        g.user = "alice"
        start_in_app_context(work, "send-mail").join()
        assert g.user == "alice" and "job" not in g
    assert seen == {"app": "frontend", "request": False, "g": {"job": "send-mail"}}


def test_copy_current_request_context_gives_the_thread_an_empty_g(frontend_app):
    with frontend_app.test_request_context("/hello"):
        g.user = "alice"

        @copy_current_request_context
        def work():
            from flask import request  # noqa: PLC0415

            return request.path, "user" in g

        assert run_in_thread(work) == {"value": ("/hello", False)}


def test_trace_of_a_thread_excludes_the_parent(frontend_app):
    with tracer.recording() as parent:
        with frontend_app.app_context():
            threads = [start_in_app_context(lambda: None) for _ in range(8)]
            for thread in threads:
                thread.join()
    assert [(e.action, e.app) for e in pushes_and_pops(parent)] == [
        ("push", "frontend"),
        ("pop", "frontend"),
    ]
