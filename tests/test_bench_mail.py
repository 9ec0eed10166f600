"""The mail benchmarks, with their SMTP servers and deliver processes, still
run (see test_bench.py)."""

import re

from tests.helpers import bench_figures, run_bench_smoke


def test_the_mail_benchmarks_run_once(tmp_path):
    output = run_bench_smoke(tmp_path, "mail")
    assert bench_figures(output) == ["5a.", "5b.", "5c.", "5d."]
    assert "outbox, a deliver process, p99, server 0 ms" in output
    assert "outbox, one deliver process, server 0 ms" in output
    assert "a deliver process, SQLite, p99" in output
    burst = output.split("5c.")[1]
    assert re.search(r"lost\s+0\.0", burst) and re.search(r"doubled\s+0\.0", burst)
    assert re.search(r"2 deliverers, 1 killed: lost\s+0\.0", burst)
