"""The HTTP benchmark, which starts every server, still runs (see test_bench.py)."""

from tests.helpers import bench_figures, run_bench_smoke


def test_the_http_benchmark_runs_once(tmp_path):
    output = run_bench_smoke(tmp_path, "http")
    assert bench_figures(output) == ["4a.", "4b."]
    # Every server starts once, and each app under two of them.
    for name in (
        "gunicorn sync x2, frontend alone",
        "gunicorn gthread 1x4, combined",
        "waitress 4 threads, frontend alone",
        "granian 1x4, combined",
    ):
        assert name in output
