"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from bench import follow_latency, tracer_overhead

if __name__ == "__main__":
    tracer_overhead.main()
    follow_latency.main()
