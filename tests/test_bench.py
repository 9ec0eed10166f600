"""The benchmarks still run: one short iteration of each (``--smoke``), so
they cannot rot. Their figures are for ``make bench``, not for tests.

In two files (this one, and test_bench_servers.py for the figures that start
servers), so that two test workers run them side by side.
"""

import os
import re

from tests.helpers import run_in_repository


def run_smoke(tmp_path, *names):
    """Run ``python -m bench --smoke --only NAMES``; return its output."""
    env = {"PATH": os.environ["PATH"], "FLASK_INSTANCE_PATH": str(tmp_path)}
    result = run_in_repository(
        ["-m", "bench", "--smoke", "--only", *names], env, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def figures(output):
    """The figure numbers the output's table has, in order."""
    return re.findall(r"^(\d\w?\.) ", output, re.M)


def test_the_in_process_benchmarks_run_once(tmp_path):
    output = run_smoke(tmp_path, "dispatch", "tracer", "database", "profile_page")
    assert figures(output) == ["1.", "2.", "3.", "3b."]
