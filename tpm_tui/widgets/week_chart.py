"""The week as bars: each category's share of the hours, drawn over its typical band,
coloured by where it sits and saying so in words too. Plain characters, so it reads at
80 columns and in any terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tpm_tui.durations import format_duration

if TYPE_CHECKING:
    from tpm_tui.services.reports import CategoryShare

VERDICT_STYLE = {"within": "bold $success", "below": "bold $warning", "above": "bold $error"}
BAR = 30


def share_bar(share: CategoryShare, total: int, width: int = BAR) -> Content:
    """`meetings      ███████████▓▓▓░░░░         46 %  14h30m  within 40–50 %`."""
    low, high = share.band
    filled = round(share.percent / 100 * width)
    cells: list[tuple[str, str]] = []
    for index in range(width):
        position = (index + 0.5) * 100 / width
        in_band = low <= position <= high
        if index < filled:
            cells.append(("█", VERDICT_STYLE[share.verdict] if total else "dim"))
        elif in_band:
            cells.append(("░", "$accent"))
        else:
            cells.append(("·", "dim"))
    words = f"{share.verdict} {low}–{high} %" if total else f"typical {low}–{high} %"
    return Content.assemble(
        (f"{share.category.value:<13}", "bold"),
        *cells,
        f" {share.percent:3.0f} % {format_duration(share.minutes):>7}  ",
        (words, VERDICT_STYLE[share.verdict] if total else "dim"),
    )


class WeekChart(Static):
    """The category bars of one week (data in through `show_shares`)."""

    def show_shares(self, shares: list[CategoryShare], total: int) -> None:
        """Draw the bars; an empty week shows the bands alone."""
        lines = [share_bar(share, total) for share in shares]
        legend = Content.assemble(
            (" " * 13, ""), ("█ the week  ", "dim"), ("░", "$accent"), (" typical band", "dim")
        )
        self.update(Content("\n").join([*lines, legend]))
