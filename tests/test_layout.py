"""The layers point down: dispatcher -> apps -> core, and never sideways."""

import ast

import pytest

from harness.servers import ROOT

# What each layer must never import (its top-level package names).
SITE = {"core", "frontend", "admin", "dispatcher", "commands"}
FORBIDDEN = {
    # flask-lens is installed by other projects: it knows nothing of the site.
    "lens": SITE | {"tests", "harness", "bench"},
    "core": SITE - {"core"} | {"tests", "harness", "bench"},
    "frontend": SITE - {"core", "frontend"} | {"tests", "harness", "bench"},
    "admin": SITE - {"core", "admin"} | {"tests", "harness", "bench"},
    "harness": {"tests", "bench"},
    "bench": {"tests"},
}


def imported_packages(path):
    """The top-level package of every module ``path`` imports."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_or_beside_it(layer):
    wrong = {
        f"{path.relative_to(ROOT)} imports {package}"
        for path in (ROOT / layer).rglob("*.py")
        for package in imported_packages(path)
        if package in FORBIDDEN[layer]
    }
    assert not wrong


def test_test_modules_import_no_other_test_module():
    wrong = {
        f"{path.relative_to(ROOT)} imports {node.module}"
        for path in (ROOT / "tests").rglob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").split(".")[-1].startswith("test_")
    }
    assert not wrong
