"""The dispatcher's command line, run as a newcomer would on a fresh clone."""

from tests.helpers import run_cli


def test_routes_lists_both_apps_with_the_mount_prefix(tmp_path):
    lines = [line.split() for line in run_cli(tmp_path, "routes").splitlines()]
    assert lines[0] == ["Path", "Methods", "Endpoint", "App"]
    assert ["/hello", "GET", "hello", "frontend"] in lines
    assert ["/admin/hello", "GET", "hello", "admin"] in lines
    assert ["/admin/login", "GET,", "POST", "auth.login", "admin"] in lines
    assert ["/admin/static/<path:filename>", "GET", "static", "admin"] in lines


def test_trace_shows_the_nested_scenario(tmp_path):
    output = run_cli(tmp_path, "trace")
    lines = [line.strip() for line in output.splitlines()]
    # Steps 1-4: pushes and pops in order, with the proxies in between.
    events = [line for line in lines if line[:2] in ("+ ", "- ")][:8]
    assert events == [
        "+ app     frontend",
        "+ request frontend  http://localhost/hello",
        "+ app     admin",
        "+ request admin  http://localhost/admin/",
        "- request admin  http://localhost/admin/",
        "- app     admin",
        "- request frontend  http://localhost/hello",
        "- app     frontend",
    ]
    assert lines.count("url_for('hello')             -> /admin/hello") == 2
    assert "g                            -> {'user': 'alice'}" in lines
    assert any(
        line.startswith("url_for('main.index')        -> BuildError") for line in lines
    )
    assert (
        "current_app                  -> RuntimeError: "
        "Working outside of application context."
    ) in lines
    trap = lines.index("5. The trap: in a frontend request, push only the admin's app")
    assert "url_for('hello')             -> /hello" in lines[trap:]
    assert (
        "thread given current_app     -> RuntimeError: "
        "Working outside of application context."
    ) in lines
    assert (
        "thread given the real app    -> current_app=frontend, request=False" in lines
    )


def test_help_names_the_commands(tmp_path):
    output = run_cli(tmp_path, "--help")
    for command in ("serve", "routes", "trace"):
        assert command in output
