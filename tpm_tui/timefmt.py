"""Writing durations for people (`1h30m`, `7.5h`): no imports, so the quickest
commands can use it; durations.py reads them back."""

from __future__ import annotations


def format_duration(minutes: int) -> str:
    """Format minutes as `45m`, `2h` or `1h30m` (the form parse_duration reads back)."""
    if minutes < 0:
        return "-" + format_duration(-minutes)
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{rest}m"
    if rest == 0:
        return f"{hours}h"
    return f"{hours}h{rest:02d}m"


def format_hours(minutes: int) -> str:
    """Format minutes as hours with one decimal (`7.5h`), for tables and charts."""
    return f"{minutes / 60:.1f}h"
