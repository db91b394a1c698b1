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

    _width = -1
    _shown: tuple[str | None, str, int] | None = None

    def show_timer(self, category: str | None, note: str = "", seconds: int = 0) -> None:
        """Display a running timer (or clear the badge when `category` is None). Only a
        change of width costs a layout; the seconds ticking by do not, and an unchanged
        badge costs nothing."""
        shown = (category, note, seconds if category is not None else 0)
        if shown == self._shown:
            return  # the same text: nothing to draw (the badge is told every second)
        if category is None:
            content = Content.assemble(("no timer · s starts one", "dim"))
        else:
            label = f"⏱ {category}" + (f" · {note[:30]}" if note else "")
            content = Content.assemble(label, "  ", elapsed_text(seconds), ("  S stops", "dim"))
        self.set_class(category is not None, "-running")
        width = content.cell_length
        self.update(content, layout=width != self._width)
        self._width, self._shown = width, shown
