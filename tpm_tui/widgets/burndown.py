"""The sprint's charts, drawn in characters that read without colour: the burndown
(a bar of remaining points per day, the ideal line's cell lighter inside a bar and a
dot above it, `+` under a day scope came in), the velocity of the last sprints, and the
planning bar (planned points against the forecast and the capacity).

Characters rather than a plotting library: at 80x24 the chart has about 70x10 cells,
where a bar per day with its number reads exactly, and the two lines of a braille plot
can only be told apart by colour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

if TYPE_CHECKING:
    from tpm_tui.services.planning import SprintView
    from tpm_tui.services.sprints import BurndownDay, SprintReport

BAR, IDEAL_IN_BAR, IDEAL, EMPTY = "█", "▒", "·", " "
REMAINING_STYLE = "$primary"
IDEAL_STYLE = "$warning"
OVER_STYLE = "bold $error"


def _axis_width(top: int) -> int:
    return len(str(top)) + 1


def burndown_lines(
    days: Sequence[BurndownDay], ideal: Sequence[float], width: int, height: int
) -> list[Content]:
    """The burndown in `height` lines of `width` cells: bars for the days so far, the
    ideal line over the whole sprint, the axis, the day numbers, and the scope marks."""
    rows = max(3, height - 3)
    top = max([1, *(d.remaining for d in days), *(int(i + 0.999) for i in ideal)])
    axis = _axis_width(top)
    slots = max(1, len(ideal))
    cell = max(1, min(8, (width - axis - 1) // slots))
    lines: list[Content] = []
    for row in range(rows, 0, -1):
        level = top * row / rows  # the points this row stands for (its top)
        label = str(top) if row == rows else ""
        parts: list[tuple[str, str] | str] = [f"{label:>{axis - 1}}│"]
        for index in range(slots):
            day = days[index] if index < len(days) else None
            target = ideal[index] if index < len(ideal) else 0.0
            # the row nearest the ideal (halves round up: 7.5 of 10 is drawn on row 8)
            ideal_here = row == max(1, min(rows, int(target * rows / top + 0.5)))
            filled = day is not None and day.remaining >= level - top / rows / 2
            glyph, style = EMPTY, ""
            if filled:
                glyph, style = (IDEAL_IN_BAR, IDEAL_STYLE) if ideal_here else (BAR, REMAINING_STYLE)
            elif ideal_here:
                glyph, style = IDEAL, f"bold {IDEAL_STYLE}"
            parts.append((glyph * cell, style) if style else glyph * cell)
        lines.append(Content.assemble(*parts))
    lines.append(Content(f"{'0':>{axis - 1}}└" + "─" * (cell * slots)))
    first = days[0].day if days else None
    numbers = "".join(
        (f"{n:>{cell}}" if cell >= 2 else str(n % 10))[-cell:]
        for n in (_day_number(first, i) for i in range(slots))
    )
    lines.append(Content(" " * axis + numbers))
    marks = "".join(_mark(d.added, d.removed).rjust(cell) for d in days).rstrip()
    lines.append(Content.assemble(" " * axis, (marks, f"bold {OVER_STYLE}") if marks else ""))
    return lines


def _mark(added: int, removed: int) -> str:
    """A day's scope change under the chart: + added, − removed, ± both."""
    return "±" if added and removed else "+" if added else "−" if removed else " "


def _day_number(first: date | None, index: int) -> int:
    return (first + timedelta(days=index)).day if first is not None else index + 1


def velocity_lines(
    sprints: Sequence[SprintView], forecast: int | None, width: int
) -> list[Content]:
    """One bar per closed sprint (the last ones that fit), with its velocity."""
    if not sprints:
        return [Content("No closed sprint yet: the velocity shows here once one is closed.")]
    name_width = min(16, max(len(s.name) for s in sprints))
    top = max(s.velocity or 0 for s in sprints) or 1
    room = max(4, min(40, width - name_width - 6))
    lines = []
    for s in sprints:
        velocity = s.velocity or 0
        length = round(room * velocity / top)
        lines.append(
            Content.assemble(
                f"{s.name[:name_width]:<{name_width}} ",
                (BAR * length, REMAINING_STYLE),
                f" {velocity}",
            )
        )
    if forecast is not None:
        lines.append(Content.assemble(("forecast ", "dim"), f"{forecast}", (" (last 3)", "dim")))
    return lines


def capacity_bar(report: SprintReport, width: int) -> Content:
    """`planned 34 ████████▓▓ ┃ forecast 30 · capacity 30 — 4 pts over capacity`:
    the part over capacity is drawn `▓` (and red)."""
    planned = report.scope
    cap = report.capacity.points
    forecast = report.forecast
    scale = max(1, planned, cap or 0, forecast or 0)
    words = f" forecast {forecast if forecast is not None else '–'} · capacity "
    words += "–" if cap is None else str(cap)
    over = report.over_capacity
    tail = f" — {over} pts over capacity" if over else ""
    room = max(10, width - len(f"planned {planned} ") - len(words) - len(tail) - 1)
    within = planned if cap is None else min(planned, cap)
    cells = [BAR] * round(room * within / scale)
    cells += ["▓"] * (round(room * planned / scale) - len(cells))
    cells += ["░"] * (room - len(cells))
    if forecast is not None:
        spot = min(room - 1, round(room * forecast / scale))
        cells[spot] = "┃"
    bar_style = OVER_STYLE if over else REMAINING_STYLE
    return Content.assemble(
        ("planned ", "bold"),
        (f"{planned} ", "bold"),
        ("".join(cells), bar_style),
        words,
        (tail, OVER_STYLE) if tail else "",
    )


class BurndownChart(Widget):
    """The burndown of one sprint, drawn to the widget's size."""

    DEFAULT_CSS = """
    BurndownChart {
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: Sequence[BurndownDay] = ()
        self.ideal: Sequence[float] = ()

    def show(self, days: Sequence[BurndownDay], ideal: Sequence[float]) -> None:
        """Draw these days against the ideal line of every day of the sprint."""
        self.days, self.ideal = days, ideal
        self.refresh()

    def render(self) -> Content:
        """The chart at the current size."""
        size = self.content_region.size
        if not self.days:
            return Content("The burndown starts on the sprint's first day.")
        lines = burndown_lines(self.days, self.ideal, size.width, size.height)
        return Content("\n").join(lines)
