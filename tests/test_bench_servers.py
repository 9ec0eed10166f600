"""The benchmarks that start servers still run (see test_bench.py)."""

import re

from tests.helpers import bench_figures, run_bench_smoke


def test_the_http_and_mail_benchmarks_run_once(tmp_path):
    output = run_bench_smoke(tmp_path, "http", "mail")
    assert bench_figures(output) == ["4a.", "4b.", "5a.", "5b.", "5c."]
    burst = output.split("5c.")[1]
    assert re.search(r"lost\s+0\.0", burst) and re.search(r"doubled\s+0\.0", burst)
