"""Contexts made visible: the tracer of pushes and pops, the nested scenario
(printed or drawn), the live request report, and handing work to a thread."""
