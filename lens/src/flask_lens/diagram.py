"""Lay a trace out as bars for a picture of the context stack over time.

Each context becomes a bar from its push to its pop, at the height of its
depth: the stack grows upwards, time runs to the right (one step per event).
"""

from dataclasses import dataclass

STEP = 56  # horizontal pixels per event
ROW = 34  # vertical pixels per stack level
MARGIN = 24
AXIS = 18  # room under the bars for the event numbers


# Fill colors per app, in the order apps appear in a trace: (app context,
# request context). The frontend is blue and the admin orange in the site.
COLORS = [("#4a90d9", "#9cc7f2"), ("#d9904a", "#f2c79c"), ("#4aa96c", "#a8dcb9")]


@dataclass(frozen=True)
class Bar:
    """One context from push to pop, ready to draw."""

    app: str
    kind: str
    url: str | None
    depth: int
    x: int
    y: int
    width: int
    height: int
    color: str = "#888"


def layout(events, apps=()):
    """Return (bars, width, height) for the events of one trace, in pixels.

    A context still open at the end runs to the right edge. ``apps`` orders
    the colors (the site's apps, so each keeps its color in every picture);
    other apps follow in the order they appear.
    """
    top = max((e.depth for e in events), default=0)
    open_pushes, bars = [], []
    apps = list(dict.fromkeys([*apps, *(e.app for e in events)]))

    def bar(start, end, push):
        y = MARGIN + (top - push.depth) * ROW
        x = MARGIN + start * STEP
        width = (end - start) * STEP
        shades = COLORS[apps.index(push.app) % len(COLORS)]
        color = shades[0] if push.kind == "app" else shades[1]
        return Bar(
            push.app, push.kind, push.url, push.depth, x, y, width, ROW - 6, color
        )

    for index, event in enumerate(events):
        if event.action == "push":
            open_pushes.append((index, event))
        elif event.action == "pop" and open_pushes:  # a teardown is a step only
            start, push = open_pushes.pop()
            bars.append(bar(start, index, push))
    bars.extend(bar(start, len(events), push) for start, push in open_pushes)
    bars.sort(key=lambda b: (b.x, b.depth))
    width = 2 * MARGIN + max(len(events) - 1, 1) * STEP
    height = 2 * MARGIN + top * ROW + AXIS
    return bars, width, height


def ticks(events):
    """Return (x, number) for each event: where it happens on the time axis."""
    return [(MARGIN + index * STEP, index + 1) for index in range(len(events))]


def entries(trace):
    """The trace as the list beside its picture: ("event", event) items,
    with ("mark", text) items for its narrated steps where they happened."""
    marks = sorted(trace.marks, key=lambda mark: mark[0])
    items, next_mark = [], 0
    for index, event in enumerate(trace.events + [None]):
        while next_mark < len(marks) and marks[next_mark][0] <= index:
            items.append(("mark", marks[next_mark][1]))
            next_mark += 1
        if event is not None:
            items.append(("event", event))
    return items
