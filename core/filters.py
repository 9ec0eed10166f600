"""Jinja filters both apps' templates use."""

from datetime import UTC, datetime


def format_timestamp(seconds):
    """Show a Unix timestamp as ``2026-11-21 12:45 UTC`` (empty for None)."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def init_app(app):
    """Register the filters on ``app``."""
    app.add_template_filter(format_timestamp, "datetime")
