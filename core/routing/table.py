"""The route table of a dispatcher: every rule of every mounted app."""

HEADER = ("Path", "Methods", "Endpoint", "App")
# Not listed: OPTIONS, which Flask adds to every rule, and HEAD, which
# Werkzeug adds to every rule with GET.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


def route_rows(dispatcher):
    """Return (path, methods, endpoint, app) for every rule, sorted by path.

    ``dispatcher`` is a ``DispatcherMiddleware`` whose apps are Flask apps; each
    path carries its mount prefix, as a browser would request it.
    """
    mounts = {"": dispatcher.app, **dispatcher.mounts}
    rows = []
    for prefix, app in mounts.items():
        for rule in app.url_map.iter_rules():
            methods = ", ".join(sorted(rule.methods - IMPLICIT_METHODS))
            rows.append((prefix + rule.rule, methods, rule.endpoint, app.name))
    return sorted(rows)


def format_table(rows, header=HEADER):
    """Lay ``rows`` out as a plain-text table with a header and a rule."""
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=True)
    ]

    def line(cells):
        return "  ".join(
            str(c).ljust(w) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
