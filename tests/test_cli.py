"""The dispatcher's command line, run as a newcomer would on a fresh clone."""

import re
import subprocess
import sys

from tests.e2e.servers import ROOT

README_TABLE = re.compile(
    r"<!-- routes:start -->\n```\n(.*?)\n```\n<!-- routes:end -->", re.S
)


def run_cli(tmp_path, *args):
    """Run ``python dispatcher.py ARGS`` with an empty instance folder."""
    env = {"PATH": "/usr/bin:/bin", "FLASK_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "dispatcher.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


def test_routes_lists_both_apps_with_the_mount_prefix(tmp_path):
    output = run_cli(tmp_path, "routes").stdout
    lines = [line.split() for line in output.splitlines()]
    assert lines[0] == ["Path", "Methods", "Endpoint", "App"]
    assert ["/hello", "GET", "hello", "frontend"] in lines
    assert ["/admin/hello", "GET", "hello", "admin"] in lines
    assert ["/admin/login", "GET,", "POST", "auth.login", "admin"] in lines
    assert ["/admin/static/<path:filename>", "GET", "static", "admin"] in lines


def test_readme_route_table_matches_the_command(tmp_path):
    output = run_cli(tmp_path, "routes").stdout.rstrip("\n")
    readme = (ROOT / "README.md").read_text()
    match = README_TABLE.search(readme)
    assert match, "README.md has no routes:start/routes:end block"
    assert match.group(1) == output, "README's route table is stale: paste the new one"


def test_help_names_the_commands(tmp_path):
    output = run_cli(tmp_path, "--help").stdout
    for command in ("serve", "routes"):
        assert command in output
