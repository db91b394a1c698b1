"""The running timer, shown on every screen: category, note and elapsed time."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def elapsed_text(seconds: int) -> str:
    """`0:25:13`."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class TimerBadge(Static):
    """Shows the timer the app hands it (`show_timer`), or nothing when none runs."""

    DEFAULT_CSS = """
    TimerBadge {
        width: auto;
        height: 1;
        padding: 0 1;
    }
    TimerBadge.-running {
        background: $success 30%;
        text-style: bold;
    }
    """

    def show_timer(self, category: str | None, note: str = "", seconds: int = 0) -> None:
        """Display a running timer (or clear the badge when `category` is None)."""
        if category is None:
            self.set_class(False, "-running")
            self.update(Content.assemble(("no timer · s starts one", "dim")), layout=False)
            return
        self.set_class(True, "-running")
        label = f"⏱ {category}" + (f" · {note}" if note else "")
        self.update(Content.assemble(label, "  ", elapsed_text(seconds), ("  S stops", "dim")))
