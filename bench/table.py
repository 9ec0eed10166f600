"""The one table ``make bench`` prints: medians with their spread, and ratios.

Every figure measures its variants in interleaved rounds (each round runs
every variant once), so the noise of this shared machine falls on all of
them alike; a row keeps every round's sample.
"""

import statistics
from dataclasses import dataclass, field


@dataclass
class Row:
    """One measured variant: its samples, one per round (or per request)."""

    figure: str
    name: str
    unit: str
    samples: list = field(default_factory=list)
    baseline: str | None = None  # the row of the same figure it is compared to
    lower_is_better: bool = True

    @property
    def median(self):
        return statistics.median(self.samples)


def interleaved(variants, rounds):
    """Run each of ``variants`` (name -> callable returning one sample) once
    per round, in turn; return name -> samples."""
    samples = {name: [] for name in variants}
    for _ in range(rounds):
        for name, measure in variants.items():
            samples[name].append(measure())
    return samples


def figure_rows(figure, found, rounds, unit):
    """Measure ``found`` (name -> (callable, baseline name)) interleaved for
    ``rounds``; return its rows in ``figure``."""
    samples = interleaved(
        {name: measure for name, (measure, _) in found.items()}, rounds
    )
    return [
        Row(figure, name, unit, samples[name], baseline)
        for name, (_, baseline) in found.items()
    ]


def percentile(values, share):
    """The ``share`` (0 to 1) percentile of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def ratio(row, rows):
    """``row``'s median over its baseline's ("" if it has none)."""
    if row.baseline is None:
        return ""
    base = next(r for r in rows if r.figure == row.figure and r.name == row.baseline)
    return f"x{row.median / base.median:.3f}"


def render(rows):
    """The table, figure by figure: min, median, max, unit, ratio."""
    lines = []
    figure = None
    for row in rows:
        if row.figure != figure:
            figure = row.figure
            lines.append(f"\n{figure}")
            lines.append(f"  {'':<46} {'min':>10} {'median':>10} {'max':>10}")
        low, mid, high = min(row.samples), row.median, max(row.samples)
        lines.append(
            f"  {row.name:<46} {low:10.1f} {mid:10.1f} {high:10.1f} "
            f"{row.unit:<12} {ratio(row, rows)}"
        )
    return "\n".join(lines)
