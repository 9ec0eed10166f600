"""flask-lens as someone outside this project gets it: its wheel installed
into a fresh virtual environment with only its declared dependencies, then
used on small sites, on Flask 3.1 and on Flask's next release."""

import html
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LENS = HERE.parent
NEXT_FLASK = sorted(LENS.parent.parent.glob("shared/wheels/flask-3.2*.whl"))

PANELS_PAGE = textwrap.dedent(
    """
    from flask import Flask
    from flask_debugtoolbar import DebugToolbarExtension

    app = Flask("plain")
    app.config.update(SECRET_KEY="dev", DEBUG_TB_PANELS=[
        "flask_lens.panels.ContextsPanel", "flask_lens.panels.RoutesPanel"])
    app.debug = True
    app.add_url_rule("/", "home", lambda: "<html><body>home</body></html>")
    app.add_url_rule("/items/<int:item>", "item", lambda item: "item")
    DebugToolbarExtension(app)
    if __name__ == "__main__":
        print(app.test_client().get("/").text)
    """
)


LATE_IMPORT = textwrap.dedent(
    """
    from flask import Flask
    from flask_debugtoolbar import DebugToolbarExtension

    def toolbar_app(name, **config):
        app = Flask(name)
        app.config.update(SECRET_KEY="dev", **config)
        app.debug = True
        app.add_url_rule("/", "home", lambda: "<html><body>home</body></html>")
        DebugToolbarExtension(app)
        return app

    toolbar_app("first").test_client().get("/")  # the toolbar is registered
    import flask_lens.panels  # only now

    panels = ["flask_lens.panels.ContextsPanel", "flask_lens.panels.RoutesPanel"]
    print(toolbar_app("second", DEBUG_TB_PANELS=panels).test_client().get("/").text)
    """
)


def run(*args, cwd=HERE):
    """Run a command; return the finished process (its output as text)."""
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


# pip installs flask-lens as its users do; the uv that `make` puts beside
# this Python builds the wheel and makes the Flask 3.2 environment, where
# only the result matters (pip took 2 s of CPU for each).
UV = Path(sys.executable).with_name("uv")


def pip(python):
    """The command that installs into ``python``'s environment with pip."""
    return [sys.executable, "-m", "pip", "--disable-pip-version-check",
            "--python", python, "install"]  # fmt: skip


def uv(python):
    """The command that installs into ``python``'s environment with uv."""
    return [UV, "pip", "install", "--python", python]


def new_venv(folder, *requirements, installer=pip):
    """A fresh virtual environment with ``requirements`` installed by
    ``installer``, resolving only what flask-lens declares; its bin/.

    It gets no pip of its own (ensurepip took 8 s a venv): the installer
    installs into it (``--python``).
    """
    assert run(sys.executable, "-m", "venv", "--without-pip", folder).returncode == 0
    installed = run(*installer(folder / "bin" / "python"), "--quiet", *requirements)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return folder / "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """flask-lens's wheel, built from lens/ as a release would be."""
    folder = tmp_path_factory.mktemp("dist")
    built = run(UV, "build", "--quiet", "--wheel", "--out-dir", folder, LENS)
    assert built.returncode == 0, built.stderr[-2000:]
    [found] = folder.glob("flask_lens-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """A fresh environment with flask-lens[toolbar] and nothing else asked
    for, installed with pip."""
    return new_venv(tmp_path_factory.mktemp("venv"), f"{wheel}[toolbar]")


def test_the_installed_command_lists_and_resolves_other_sites(venv):
    assert run(venv / "python", "-c", "import flask_login").returncode == 1
    listed = run(venv / "flask-lens", "routes", "sites:dash")
    assert listed.returncode == 0, listed.stderr
    assert "/dash2/data" in listed.stdout and "/about" in listed.stdout
    listed = run(venv / "flask-lens", "routes", "sites:docs_dispatcher")
    assert "/ann/posts" in listed.stdout and "/signup" in listed.stdout
    assert "makes apps on demand" in listed.stderr
    resolved = run(venv / "flask-lens", "resolve", "sites:dash", "/dash1/data")
    assert "SCRIPT_NAME='/dash1' PATH_INFO='/data'" in resolved.stdout


def test_the_panels_show_on_a_plain_app_without_flask_login(venv, tmp_path):
    (tmp_path / "plain.py").write_text(PANELS_PAGE)
    page = run(venv / "python", "plain.py", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert 'id="flDebugContextsPanel-content"' in page.stdout
    panel = page.stdout.split('id="flDebugRoutesPanel-content"')[1]
    assert "<td>?</td>" in panel  # needs a login? without Flask-Login: unknown
    # The panel lists exactly what the command lists for the same app.
    listed = run(venv / "flask-lens", "routes", "plain:app", "--json", cwd=tmp_path)
    paths = [row["path"] for row in json.loads(listed.stdout)]
    assert "/items/<int:item>" in paths
    shown = re.findall(r"<tr><td><code>([^<]*)</code>", panel)
    assert shown == [html.escape(path) for path in paths]


def test_the_panels_import_after_another_app_registered_the_toolbar(venv):
    page = run(venv / "python", "-c", LATE_IMPORT)
    assert page.returncode == 0, page.stderr  # once an AssertionError
    assert 'id="flDebugRoutesPanel-content"' in page.stdout


@pytest.mark.skipif(not NEXT_FLASK, reason="no Flask 3.2 wheel in ../shared/wheels")
def test_on_flask_32_routes_work_and_tracing_refuses_by_name(tmp_path, wheel):
    bin_ = new_venv(tmp_path / "venv", NEXT_FLASK[-1], wheel, installer=uv)
    listed = run(bin_ / "flask-lens", "routes", "sites:docs_dispatcher")
    assert listed.returncode == 0, listed.stderr
    assert "/ann/posts" in listed.stdout and "/signup" in listed.stdout
    resolved = run(bin_ / "flask-lens", "resolve", "sites:dash", "/dash1/data")
    assert "app: dash1" in resolved.stdout, resolved.stderr
    refused = run(
        bin_ / "python",
        "-c",
        "import flask, flask_lens\n"
        "try:\n    flask_lens.trace_app(flask.Flask('x'))\n"
        "except flask_lens.UnsupportedFlask as error:\n    print(error)",
    )
    assert "Flask 3.1 only; this is Flask 3.2" in refused.stdout, refused.stderr
