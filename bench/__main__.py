"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from bench import follow_latency, mail_throughput, profile_page, tracer_overhead

if __name__ == "__main__":
    tracer_overhead.main()
    profile_page.main([])
    follow_latency.main()
    mail_throughput.main([])
