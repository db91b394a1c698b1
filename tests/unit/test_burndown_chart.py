"""The burndown drawn in characters: a bar per day as tall as its remaining points, the
ideal line in every day, the day numbers under their bars, `+` under a day scope came
in; readable without colour."""

from __future__ import annotations

from datetime import date

from tpm_tui.services.sprints import BurndownDay
from tpm_tui.widgets.burndown import burndown_lines


def test_bars_ideal_labels_and_scope_marks_line_up() -> None:
    days = [
        BurndownDay(date(2026, 11, 23), 10, 7.5, 0, 0),
        BurndownDay(date(2026, 11, 24), 5, 5.0, 0, 0),
        BurndownDay(date(2026, 11, 25), 8, 2.5, 3, 0),
    ]
    ideal = [7.5, 5.0, 2.5, 0.0]
    lines = [line.plain for line in burndown_lines(days, ideal, width=20, height=13)]
    # 10 rows of a point each, the axis, the day numbers, the marks
    assert len(lines) == 13
    rows, axis, numbers, marks = lines[:10], lines[10], lines[11], lines[12]
    assert rows[0].startswith("10│")
    cell = 4  # (20 - 3 - 1) // 4 days
    for index, remaining in enumerate((10, 5, 8)):
        column = [row[3 + index * cell : 3 + (index + 1) * cell] for row in rows]
        filled = [c for c in column if c.strip(" ·")]
        assert len(filled) == remaining, (index, column)
    # the ideal shows inside a bar (▒) or above it (·) on every day
    for index in range(4):
        column = [row[3 + index * cell : 3 + (index + 1) * cell] for row in rows]
        assert any(set(c) in ({"▒"}, {"·"}) for c in column), index
    assert axis == " 0└" + "─" * (cell * 4)
    assert numbers == "   " + "  23  24  25  26"
    assert marks.rstrip() == "   " + " " * (cell * 2) + "   +"


def test_cells_widen_with_the_width_up_to_eight() -> None:
    days = [BurndownDay(date(2026, 11, 23), 4, 3.0, 0, 0)]
    ideal = [3.0, 0.0]
    for width, cell in ((12, 4), (40, 8), (200, 8)):
        numbers = burndown_lines(days, ideal, width=width, height=8)[-2].plain
        assert numbers == "  " + f"{23:>{cell}}{24:>{cell}}", width


def test_a_day_with_scope_added_and_removed_shows_both() -> None:
    days = [
        BurndownDay(date(2026, 11, 23), 10, 7.5, 0, 2),  # removed only
        BurndownDay(date(2026, 11, 24), 13, 5.0, 8, 5),  # added and removed
        BurndownDay(date(2026, 11, 25), 8, 2.5, 3, 0),  # added only
    ]
    marks = burndown_lines(days, [7.5, 5.0, 2.5, 0.0], width=20, height=16)[-1].plain
    assert marks == "   " + "   −   ±   +"
