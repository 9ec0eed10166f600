"""The README's picture: the follow page's latency against the SMTP server's
delay, for each design (figure 5a). Needs matplotlib
(requirements-bench.txt, which ``make bench`` installs)."""

from bench.mail import DELAYS, DESIGNS, FIGURE_LATENCY


def plot(rows, path):
    """Draw p50 (solid) and p99 (dashed) per design into ``path`` (PNG);
    return False if matplotlib is not installed."""
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        from matplotlib import pyplot  # noqa: PLC0415
    except ImportError:
        return False
    medians = {r.name: r.median for r in rows if r.figure == FIGURE_LATENCY}
    figure, axes = pyplot.subplots(figsize=(6.4, 4), dpi=110)
    # The delays measured (the smoke run measures the first only).
    measured = [d * 1000 for d in DELAYS]
    delays_ms = [d for d in measured if any(f"server {d:.0f} ms" in n for n in medians)]
    colors = ("tab:blue", "tab:purple", "tab:red", "tab:green")
    for name, color in zip(DESIGNS, colors, strict=True):
        for share, style in (("p50", "-"), ("p99", "--")):
            values = [medians[f"{name}, {share}, server {d:.0f} ms"] for d in delays_ms]
            label = f"{name}, {share}"
            axes.plot(delays_ms, values, style, color=color, marker="o", label=label)
    label_axes(axes, delays_ms)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)
    return True


def label_axes(axes, delays_ms):
    """The titles, the log scale, a tick per delay measured, the legend."""
    axes.set_xlabel("SMTP server's delay per message (ms)")
    axes.set_ylabel("follow page latency (ms)")
    axes.set_yscale("log")
    axes.set_xticks(delays_ms)
    axes.set_title("Does a slow mail server slow the follow page?")
    axes.legend(fontsize=7)
    axes.grid(True, which="both", alpha=0.3)
