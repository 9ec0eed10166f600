"""Run every benchmark and print one table: ``python -m bench`` (``make bench``).

    python -m bench [--smoke] [--only NAME ...]

Each figure measures its variants interleaved, in rounds, within this one
run; the table gives min, median and max, and each row's ratio of medians to
its baseline. ``--smoke`` runs one short iteration of each (CI does, so the
benchmarks cannot rot). The full run also draws docs/bench/follow-latency.png.
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from bench import database, dispatch, mail, over_http, plot, profile_page, tracer
from bench.table import render

FIGURES = {
    "dispatch": dispatch,
    "tracer": tracer,
    "database": database,
    "profile_page": profile_page,
    "http": over_http,
    "mail": mail,
}
ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", nargs="+", choices=sorted(FIGURES))
    args = parser.parse_args(argv)
    # The deliver processes the mail figures start keep their keys and wake-up
    # sockets in the instance folder: a temporary one, not the project's.
    os.environ.setdefault("FLASK_INSTANCE_PATH", tempfile.mkdtemp())
    started = time.perf_counter()
    rows = []
    for name in args.only or FIGURES:
        rows += FIGURES[name].measure(smoke=args.smoke)
    print(
        f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; "
        f"python -m bench{' --smoke' if args.smoke else ''} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    print(render(rows))
    if "mail" in (args.only or FIGURES):
        folder = ROOT / ("build/bench" if args.smoke else "docs/bench")
        if plot.plot(rows, folder / "follow-latency.png"):
            print(f"\nPlot: {folder.relative_to(ROOT)}/follow-latency.png")
        else:
            print("\nNo plot: matplotlib is not installed (requirements-bench.txt).")


if __name__ == "__main__":
    main()
