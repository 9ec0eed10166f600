"""The docs stay true: their copies of command output and their examples run."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import admin
import frontend
from core import config
from harness.servers import ROOT
from tests.helpers import run_cli

PREFIXES = ("FLASK", "FRONTEND", "ADMIN")

# The lesson's chapters, in the order a learner reads them (README.md).
LESSON = [
    ROOT / "docs" / name
    for name in ("why-contexts.md", "routing.md", "contexts.md", "testing.md")
]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
EXAMPLES = [
    (doc, code) for doc in LESSON for code in PYTHON_BLOCK.findall(doc.read_text())
]


def copied_block(path, name):
    """The fenced block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = rf"<!-- {name}:start -->\n```\n(.*?)\n```\n<!-- {name}:end -->"
    match = re.search(pattern, path.read_text(), re.S)
    assert match, f"{path.name} has no {name}:start/{name}:end block"
    return match.group(1)


@pytest.mark.parametrize(
    ("doc", "block", "command"),
    [("docs/routing.md", "routes", "routes"), ("docs/contexts.md", "trace", "trace")],
)
def test_copied_output_matches_the_command(tmp_path, doc, block, command):
    output = run_cli(tmp_path, command).strip("\n")
    assert copied_block(ROOT / doc, block) == output, f"paste the new {command} output"


@pytest.mark.parametrize(
    ("doc", "code"),
    EXAMPLES,
    ids=[f"{doc.name}: {code[:40]}" for doc, code in EXAMPLES],
)
def test_the_docs_examples_run(monkeypatch, tmp_path, doc, code):
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    exec(compile(code, str(doc), "exec"), {"__name__": "docs_example"})


def test_every_setting_the_apps_read_is_documented():
    # Each default of core.config, the frontend and the admin is named in
    # the configuration chapter (or the mail chapter) with its prefix.
    chapters = (ROOT / "docs" / "configuration.md").read_text() + (
        ROOT / "docs" / "mail.md"
    ).read_text()
    undocumented = [
        key
        for defaults in (config.DEFAULTS, frontend.DEFAULTS, admin.DEFAULTS)
        for key in defaults
        if not any(f"{prefix}_{key}`" in chapters for prefix in PREFIXES)
    ]
    assert undocumented == []


NEXT_FLASK = sorted(ROOT.parent.glob("shared/wheels/flask-3.2*.whl"))
NEXT_CHAPTER = ROOT / "docs" / "next-flask.md"


@pytest.mark.skipif(not NEXT_FLASK, reason="no Flask 3.2 wheel in ../shared/wheels")
def test_the_next_flask_chapter_runs_on_flask_32(tmp_path):
    # A fresh environment with the wheel of Flask's main branch only, put in
    # by the uv that `make` installs beside this Python (pip took 2 s of CPU).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    uv = [Path(sys.executable).with_name("uv"), "pip", "install", "--quiet"]
    subprocess.run(
        [*uv, "--python", venv / "bin" / "python", NEXT_FLASK[-1]],
        check=True,
        capture_output=True,
    )
    [code] = PYTHON_BLOCK.findall(NEXT_CHAPTER.read_text())
    ran = subprocess.run(
        [venv / "bin" / "python", "-c", code], capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
