"""Print a trace on the console as it happens, indented by the stack's depth."""


class TracePrinter:
    """Prints events indented by their depth, and notes at the current depth."""

    def __init__(self, echo=None):
        self.echo = echo or (lambda line: None)
        self.depth = 0

    def event(self, event):
        """Print a push or pop as it happens (a ``tracer.recording`` listener)."""
        sign = "+" if event.action == "push" else "-"
        url = f"  {event.url}" if event.url else ""
        self.echo(f"{'  ' * event.depth}{sign} {event.kind:<7} {event.app}{url}")
        self.depth = event.depth if event.action == "push" else event.depth - 1

    def step(self, title):
        """Print a numbered step's title."""
        self.echo(f"\n{title}")

    def show(self, label, compute):
        """Print ``label -> value`` (or the error ``compute`` raises)."""
        try:
            value = compute()
        except Exception as error:  # the point is to show what is raised
            value = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        self.echo(f"{'  ' * (self.depth + 1)}{label:<28} -> {value}")
