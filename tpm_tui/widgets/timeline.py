"""The roadmap chart: a time axis, sprints and milestones, and a bar per epic and
feature filled to its done share, coloured by status. Drawn with the Line API: only
the rows and the days on screen are rendered, so hundreds of items scroll smoothly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tpm_tui.kinds import Kind
from tpm_tui.services.roadmap import Status, Zoom, axis_label

if TYPE_CHECKING:
    from tpm_tui.services.planning import MilestoneView, SprintView
    from tpm_tui.services.roadmap import RoadmapRow

LABEL = 34
HEADER = 2  # the axis line and the sprints/milestones line
STATUS_COLOURS = {
    Status.ON_TRACK: "#4ebf71",
    Status.AT_RISK: "#e0b000",
    Status.LATE: "#e05252",
    Status.DONE: "#5b8def",
    Status.UNSCHEDULED: "#808080",
}
AXIS = Style(color="#a0a0a0", bold=True)
DIM = Style(color="#6c6c6c")
TODAY = Style(color="#ff5fd7", bold=True)
SELECTED = Style(bgcolor="#2f3b52", bold=True)
MILESTONE = Style(color="#ff9f1c", bold=True)
SPRINT_STYLES = (Style(color="#5fafd7"), Style(color="#87af87"))


class Timeline(Widget):
    """Rows, zoom, the first day shown and the selection come in as attributes (set
    by the screen through `show`); the widget only draws."""

    DEFAULT_CSS = """
    Timeline {
        height: 1fr;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[RoadmapRow] = []
        self.milestones: list[MilestoneView] = []
        self.sprints: list[SprintView] = []
        self.zoom = Zoom.WEEKS
        self.origin = date.today()
        self.today = date.today()
        self.selected = 0
        self.top = 0
        self.collapsed: set[int] = set()

    # ------------------------------------------------------------ data in

    def show(
        self,
        rows: Sequence[RoadmapRow],
        milestones: Sequence[MilestoneView],
        sprints: Sequence[SprintView],
        today: date,
    ) -> None:
        """New data (the selection stays on the same item when it is still there)."""
        selected_id = self.selected_item_id()
        self.rows = list(rows)
        self.milestones = list(milestones)
        self.sprints = list(sprints)
        self.today = today
        ids = [r.item.id for r in self.visible_rows()]
        if selected_id in ids:
            self.selected = ids.index(selected_id)
        self.selected = max(0, min(self.selected, len(ids) - 1))
        self._keep_selection_visible()
        self.refresh()

    def visible_rows(self) -> list[RoadmapRow]:
        """Rows with collapsed epics' features left out."""
        out: list[RoadmapRow] = []
        hide = False
        for row in self.rows:
            if row.depth == 0:
                hide = row.item.id in self.collapsed
                out.append(row)
            elif not hide:
                out.append(row)
        return out

    def selected_row(self) -> RoadmapRow | None:
        """The row under the cursor."""
        rows = self.visible_rows()
        return rows[self.selected] if 0 <= self.selected < len(rows) else None

    def selected_item_id(self) -> int | None:
        """Its item id."""
        row = self.selected_row()
        return row.item.id if row else None

    def move_selection(self, delta: int) -> None:
        """Up or down the rows."""
        count = len(self.visible_rows())
        if count:
            self.selected = max(0, min(count - 1, self.selected + delta))
            self._keep_selection_visible()
            self.refresh()

    def select_item(self, item_id: int) -> None:
        """Put the cursor on an item (if it is shown)."""
        ids = [r.item.id for r in self.visible_rows()]
        if item_id in ids:
            self.selected = ids.index(item_id)
            self._keep_selection_visible()
            self.refresh()

    def _keep_selection_visible(self) -> None:
        height = max(1, self.size.height - HEADER)
        if self.selected < self.top:
            self.top = self.selected
        elif self.selected >= self.top + height:
            self.top = self.selected - height + 1

    def on_resize(self) -> None:
        """Keep the selected row on screen after a resize."""
        self._keep_selection_visible()

    @property
    def cells(self) -> int:
        """Columns available for days."""
        return max(0, self.size.width - LABEL)

    def day_at(self, cell: int) -> date:
        """The first day a column stands for."""
        return self.origin + timedelta(days=cell * self.zoom.days_per_cell)

    def visible_days(self) -> int:
        """Days across the chart."""
        return self.cells * self.zoom.days_per_cell

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        """One screen line: the axis, sprints and milestones, or an item's bar."""
        width = self.size.width
        if y == 0:
            return self._axis_line(width)
        if y == 1:
            return self._marker_line(width)
        rows = self.visible_rows()
        index = self.top + y - HEADER
        if index >= len(rows):
            return Strip([Segment(" " * width)], width)
        return self._row_line(rows[index], index == self.selected, width)

    def _today_cell(self) -> int | None:
        offset = (self.today - self.origin).days
        cell = offset // self.zoom.days_per_cell if offset >= 0 else -1
        return cell if 0 <= cell < self.cells else None

    def _axis_line(self, width: int) -> Strip:
        chars = [" "] * self.cells
        styles: list[Style] = [AXIS] * self.cells
        cell = 0
        while cell < self.cells:
            label = None
            for offset in range(self.zoom.days_per_cell):
                label = axis_label(self.day_at(cell) + timedelta(days=offset), self.zoom)
                if label:
                    break
            if label and cell + len(label) <= self.cells:
                chars[cell] = "▏"
                for i, ch in enumerate(label[: self.cells - cell - 1]):
                    chars[cell + 1 + i] = ch
                cell += len(label) + 1
            else:
                cell += 1
        today = self._today_cell()
        if today is not None:
            chars[today], styles[today] = "▼", TODAY
        head = f" {self.zoom.value}: {self.origin:%d %b %Y} →"
        return Strip([Segment(head.ljust(LABEL)[:LABEL], DIM), *_segments(chars, styles)], width)

    def _marker_line(self, width: int) -> Strip:
        chars = [" "] * self.cells
        styles: list[Style] = [DIM] * self.cells
        for number, sprint in enumerate(self.sprints):
            first = (sprint.start_date - self.origin).days // self.zoom.days_per_cell
            last = (sprint.end_date - self.origin).days // self.zoom.days_per_cell
            for cell in range(max(0, first), min(self.cells, last + 1)):
                chars[cell], styles[cell] = "━", SPRINT_STYLES[number % 2]
            if 0 <= first < self.cells:
                for i, ch in enumerate(sprint.name[: max(0, min(last, self.cells) - first)]):
                    chars[first + i] = ch
        for milestone in self.milestones:
            cell = (milestone.date - self.origin).days // self.zoom.days_per_cell
            if 0 <= cell < self.cells:
                text = "◆ " + milestone.title
                for i, ch in enumerate(text[: self.cells - cell]):
                    chars[cell + i], styles[cell + i] = ch, MILESTONE
        today = self._today_cell()
        if today is not None and chars[today] == " ":
            chars[today], styles[today] = "│", TODAY
        return Strip(
            [Segment(" sprints · milestones".ljust(LABEL)[:LABEL], DIM), *_segments(chars, styles)],
            width,
        )

    def _row_line(self, row: RoadmapRow, selected: bool, width: int) -> Strip:
        item = row.item
        tag = "EPIC" if item.kind is Kind.EPIC else "FEAT"
        fold = ("▸ " if item.id in self.collapsed else "▾ ") if item.kind is Kind.EPIC else "  "
        flag = "!" if row.outside_epic or row.early_for else " "
        label = f"{'   ' * row.depth}{fold}{tag} #{item.id} {item.title}"
        label = (label[: LABEL - 2] + "…") if len(label) > LABEL - 1 else label
        label = label.ljust(LABEL - 1) + flag
        label_style = SELECTED if selected else Style()
        chars = [" "] * self.cells
        colour = STATUS_COLOURS[row.status]
        bar = Style(color=colour)
        styles: list[Style] = [DIM] * self.cells
        today = self._today_cell()
        if today is not None:
            chars[today], styles[today] = "│", TODAY
        if row.scheduled:
            assert item.start_date is not None and item.target_date is not None
            dpc = self.zoom.days_per_cell
            first = (item.start_date - self.origin).days // dpc
            last = (item.target_date - self.origin).days // dpc
            length = last - first + 1
            filled = round(length * row.done_percent / 100)
            for cell in range(max(0, first), min(self.cells, last + 1)):
                chars[cell] = "█" if cell - first < filled else "▒"
                styles[cell] = bar + (Style(bgcolor="#3a1030") if cell == today else Style())
            words = f" {row.done_percent}% {row.status.value}"
            if row.outside_epic:
                words += " · features outside"
            if row.early_for:
                words += " · starts before " + ", ".join(f"#{b}" for b in row.early_for) + " ends"
            start = last + 1
            if start < 0 and first < 0:
                start = 0
            for i, ch in enumerate(words):
                if 0 <= start + i < self.cells:
                    chars[start + i], styles[start + i] = ch, bar
        if selected:
            styles = [s + Style(bgcolor="#2f3b52") for s in styles]
        return Strip([Segment(label, label_style), *_segments(chars, styles)], width)


def _segments(chars: list[str], styles: list[Style]) -> list[Segment]:
    """Join runs of the same style into segments."""
    out: list[Segment] = []
    run: list[str] = []
    current: Style | None = None
    for ch, style in zip(chars, styles, strict=True):
        if style != current and run:
            out.append(Segment("".join(run), current))
            run = []
        current = style
        run.append(ch)
    if run:
        out.append(Segment("".join(run), current))
    return out
