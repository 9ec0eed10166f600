"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from bench import follow_latency, profile_page, tracer_overhead

if __name__ == "__main__":
    tracer_overhead.main()
    profile_page.main([])
    follow_latency.main()
