"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from bench import tracer_overhead

if __name__ == "__main__":
    tracer_overhead.main()
