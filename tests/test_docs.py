"""The docs stay true: their copies of command output and their examples run."""

import re

import pytest

from harness.servers import ROOT
from tests.helpers import run_cli

CONTEXTS = ROOT / "docs" / "contexts.md"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def copied_block(path, name):
    """The fenced block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = rf"<!-- {name}:start -->\n```\n(.*?)\n```\n<!-- {name}:end -->"
    match = re.search(pattern, path.read_text(), re.S)
    assert match, f"{path.name} has no {name}:start/{name}:end block"
    return match.group(1)


@pytest.mark.parametrize(
    ("doc", "block", "command"),
    [("README.md", "routes", "routes"), ("docs/contexts.md", "trace", "trace")],
)
def test_copied_output_matches_the_command(tmp_path, doc, block, command):
    output = run_cli(tmp_path, command).strip("\n")
    assert copied_block(ROOT / doc, block) == output, f"paste the new {command} output"


@pytest.mark.parametrize(
    "code", PYTHON_BLOCK.findall(CONTEXTS.read_text()), ids=lambda code: code[:40]
)
def test_contexts_examples_run(monkeypatch, tmp_path, code):
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    exec(compile(code, str(CONTEXTS), "exec"), {"__name__": "docs_example"})
