"""The benchmarks still run: one short iteration of each (``--smoke``), so
they cannot rot. Their figures are for ``make bench``, not for tests.

In two files (this one, and test_bench_servers.py for the figures that start
servers), so that two test workers run them side by side.
"""

from tests.helpers import bench_figures, run_bench_smoke


def test_the_in_process_benchmarks_run_once(tmp_path):
    output = run_bench_smoke(tmp_path, "dispatch", "tracer", "database", "profile_page")
    assert bench_figures(output) == ["1.", "2.", "3.", "3b."]
