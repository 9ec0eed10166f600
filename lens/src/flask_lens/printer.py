"""Print a trace on the console as it happens, indented by the stack's depth."""

import textwrap


class TracePrinter:
    """Prints events indented by their depth, and notes at the current depth."""

    def __init__(self, echo=None):
        self.echo = echo or (lambda line: None)
        self.depth = 0
        self.seen = 0  # events printed so far
        self.marks = []  # (events before it, text) of each step, note, value

    def event(self, event):
        """Print a push, pop, teardown or step of a request (its view, its
        callbacks) as it happens (a ``tracer.recording`` listener); a step
        is indented as the context it runs in."""
        indent = "  " * event.depth
        self.seen += 1
        if event.action not in ("push", "pop"):
            self.echo(f"{indent}~ {event.step} {event.app}: {event.note}")
            return
        sign = "+" if event.action == "push" else "-"
        url = f"  {event.url}" if event.url else ""
        note = f"  ({event.note})" if event.note else ""
        self.echo(f"{indent}{sign} {event.kind:<7} {event.app}{url}{note}")
        self.depth = event.depth if event.action == "push" else event.depth - 1

    def note(self, text):
        """Print a remark (why something is so) at the current depth."""
        self.marks.append((self.seen, f"Why: {text}"))
        indent = "  " * (self.depth + 1)
        for line in textwrap.wrap(f"Why: {text}", 72, subsequent_indent="     "):
            self.echo(f"{indent}{line}")

    def step(self, title):
        """Print a numbered step's title."""
        self.marks.append((self.seen, title))
        self.echo(f"\n{title}")

    def show(self, label, compute):
        """Print ``label -> value`` (or the error ``compute`` raises)."""
        try:
            value = compute()
        except Exception as error:  # the point is to show what is raised
            value = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        self.marks.append((self.seen, f"{label} -> {value}"))  # for the pages
        self.echo(f"{'  ' * (self.depth + 1)}{label:<28} -> {value}")
