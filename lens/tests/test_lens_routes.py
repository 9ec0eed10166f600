"""flask-lens on sites shaped as other people's: every route, each once."""

import re
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sites import (
    SubdomainDispatcher,
    app_with,
    dash_style,
    dash_with_a_homepage,
    nested_behind_proxy,
    path_dispatcher,
)

from flask_lens import reach, resolve, routes

HERE = Path(__file__).resolve().parent


def paths(wsgi):
    """(app, path) of every route flask-lens finds, without the static rule."""
    return sorted((r.app, r.path) for r in routes(wsgi) if r.endpoint != "static")


def test_a_dash_style_site_lists_the_servers_routes_and_each_dashboards():
    assert paths(dash_style()) == [
        ("dash1", "/dash1/"),
        ("dash1", "/dash1/data"),
        ("dash2", "/dash2/"),
        ("dash2", "/dash2/data"),
        ("server", "/"),
        ("server", "/about"),
    ]


def test_a_dash_homepage_replaces_the_servers_own_routes():
    assert paths(dash_with_a_homepage()) == [("dash1", "/dash1/"), ("homepage", "/")]


def test_a_subdomain_dispatcher_lists_the_apps_made_so_far_and_says_so():
    site = SubdomainDispatcher("example.com", lambda sub: app_with(sub, "/me"))
    site.instances["ann"] = app_with("ann", "/me")
    assert paths(site) == [("ann", "/me")]
    [note] = reach(site).notes
    assert "makes apps on demand" in note and "default app" not in note


def test_a_path_dispatcher_lists_its_default_app_and_the_apps_made_so_far():
    site = path_dispatcher()
    assert paths(site) == [
        ("default", "/"),
        ("default", "/signup"),
        ("user-ann", "/ann/"),
        ("user-ann", "/ann/posts"),
    ]
    [note] = reach(site).notes
    assert "makes apps on demand" in note and "the 1 made so far" in note


def test_nested_dispatchers_behind_proxyfix_keep_every_prefix():
    assert paths(nested_behind_proxy()) == [
        ("api", "/shop/api/v1"),
        ("home", "/"),
        ("shop", "/shop/"),
    ]


def test_resolve_follows_a_path_through_each_kind_of_site():
    found = resolve(dash_style(), "/dash2/data")
    assert (found.app, found.script_name, found.path_info) == (
        "dash2",
        "/dash2",
        "/data",
    )
    found = resolve(path_dispatcher(), "/ann/posts")
    assert (found.app, found.rule, found.status) == ("user-ann", "/posts", 200)
    found = resolve(nested_behind_proxy(), "/shop/api/v1", method="POST")
    assert (found.app, found.status) == ("api", 405)


def flask_lens(*args, cwd):
    """Run the flask-lens command from ``cwd``, as a user would."""
    command = [sys.executable, "-c", "from flask_lens.cli import main; main()"]
    return subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_the_command_lists_a_site_from_its_folder():
    result = flask_lens("routes", "sites:dash", cwd=HERE)
    assert result.returncode == 0, result.stderr
    assert "/dash2/data" in result.stdout and "/about" in result.stdout
    result = flask_lens("routes", "sites:dash", "--json", cwd=HERE)
    assert '"path": "/dash1/data"' in result.stdout


def test_a_target_that_fails_to_import_gets_one_line_and_status_1(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('set DATABASE_URL')\n")
    result = flask_lens("routes", "broken:app", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: cannot import 'broken': RuntimeError: set DATABASE_URL\n"
    )


def test_the_command_resolves_a_path(tmp_path):
    (tmp_path / "wsgi.py").write_text(
        "from sites import dash_style\napplication = dash_style()\n"
    )
    env_path = f"{HERE}"
    result = subprocess.run(
        [sys.executable, "-c", "from flask_lens.cli import main; main()",
         "resolve", "wsgi", "/dash1/data"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "SCRIPT_NAME='/dash1' PATH_INFO='/data'" in result.stdout
    assert "app: dash1" in result.stdout


def test_the_readmes_quickstart_prints_what_the_readme_shows(tmp_path):
    readme = (HERE.parent / "README.md").read_text()
    code = re.search(r"```python\n# wsgi.py\n(.*?)```", readme, re.S).group(1)
    console = re.search(
        r"```console\n\$ pip install flask-lens\n(.*?)```", readme, re.S
    )
    (tmp_path / "wsgi.py").write_text(code)
    shown = re.findall(r"\$ flask-lens (.*)\n((?:[^$].*\n)*)", console.group(1))
    assert [command.split()[0] for command, _ in shown] == ["routes", "resolve"]
    for command, output in shown:
        assert flask_lens(*command.split(), cwd=tmp_path).stdout == output, command


def test_flasks_static_route_is_named_by_what_it_does():
    # It was "flask.app:Flask.__init__.<locals>.<lambda>".
    app = Flask("plain")
    [static] = [r for r in routes(app) if r.endpoint == "static"]
    assert static.view == "flask.app:Flask.send_static_file"
