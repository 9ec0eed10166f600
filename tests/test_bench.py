"""The benchmarks still run: one short iteration of each (``--smoke``), so
they cannot rot. Their figures are for ``make bench``, not for tests."""

import os
import re

from tests.helpers import run_in_repository

FIGURES = ["1.", "2.", "3.", "3b.", "4a.", "4b.", "5a.", "5b.", "5c."]


def test_every_benchmark_runs_once(tmp_path):
    env = {"PATH": os.environ["PATH"], "FLASK_INSTANCE_PATH": str(tmp_path)}
    result = run_in_repository(
        ["-m", "bench", "--smoke"], env, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    headers = re.findall(r"^(\d\w?\.) ", result.stdout, re.M)
    assert headers == FIGURES
    burst = result.stdout.split("5c.")[1]
    assert re.search(r"lost\s+0\.0", burst) and re.search(r"doubled\s+0\.0", burst)
