"""The roadmap chart: a time axis, sprints and milestones, and a bar per epic and
feature filled to its done share, coloured by status. Drawn with the Line API: only
the rows and the days on screen are rendered, so hundreds of items scroll smoothly.
Every colour comes from the theme (component classes), so a light theme reads too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tpm_tui.kinds import Kind
from tpm_tui.timescale import Status, Zoom, axis_label

if TYPE_CHECKING:
    from tpm_tui.services.planning import MilestoneView, SprintView
    from tpm_tui.services.roadmap import RoadmapRow

HEADER = 2  # the axis line and the sprints/milestones line
STATUS_WIDTH = 15  # " 100% on track ": the status words have a column of their own

# Theme variables, one per status (also used by the roadmap's legend).
STATUS_COLOURS = {
    Status.ON_TRACK: "$text-success",
    Status.AT_RISK: "$text-warning",
    Status.LATE: "$text-error",
    Status.DONE: "$text-primary",
    Status.UNSCHEDULED: "$text-muted",
}
TODAY_COLOUR = "$text-accent"
MILESTONE_COLOUR = "$text-secondary"


def status_class(status: Status) -> str:
    """The component class that colours a status: `timeline--at-risk`."""
    return "timeline--" + status.name.lower().replace("_", "-")


def label_width(width: int) -> int:
    """Columns for the item names: a quarter of the width (between 20 and 44)."""
    return max(20, min(44, width // 4 + 4))


class Timeline(Widget):
    """Rows, zoom, the first day shown and the selection come in as attributes (set
    by the screen through `show`); the widget only draws."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--axis",
        "timeline--dim",
        "timeline--today",
        "timeline--today-in-bar",
        "timeline--selected",
        "timeline--milestone",
        "timeline--sprint",
        "timeline--sprint-alt",
        "timeline--group",
        *(status_class(s) for s in Status),
    }

    DEFAULT_CSS = (
        """
    Timeline {
        height: 1fr;
    }
    Timeline > .timeline--axis {
        color: $text-muted;
        text-style: bold;
    }
    Timeline > .timeline--dim {
        color: $text-muted;
    }
    Timeline > .timeline--selected {
        background: $primary 30%;
        text-style: bold;
    }
    Timeline > .timeline--sprint {
        color: $text-primary;
    }
    Timeline > .timeline--sprint-alt {
        color: $text-secondary;
    }
    Timeline > .timeline--today-in-bar {
        background: $accent 25%;
    }
    Timeline > .timeline--group {
        color: $text-accent;
        text-style: bold;
    }
    """
        + f"""
    Timeline > .timeline--today {{
        color: {TODAY_COLOUR};
        text-style: bold;
    }}
    Timeline > .timeline--milestone {{
        color: {MILESTONE_COLOUR};
        text-style: bold;
    }}
    """
        + "".join(
            f"Timeline > .{status_class(s)} {{ color: {colour}; }}\n"
            for s, colour in STATUS_COLOURS.items()
        )
    )

    def __init__(self, today: date, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[RoadmapRow] = []
        self.milestones: list[MilestoneView] = []
        self.sprints: list[SprintView] = []
        self.zoom = Zoom.WEEKS
        self.origin = today
        self.today = today
        self.selected = 0
        self.top = 0
        self.collapsed: set[int] = set()
        # Group header lines (the roadmap grouped by goal): (index in `rows` the header
        # stands before, its text). Headers are drawn, never selected.
        self.headers: list[tuple[int, str]] = []

    # ------------------------------------------------------------ data in

    def show(
        self,
        rows: Sequence[RoadmapRow],
        milestones: Sequence[MilestoneView],
        sprints: Sequence[SprintView],
        today: date,
        headers: Sequence[tuple[int, str]] = (),
    ) -> None:
        """New data (the selection stays on the same item when it is still there);
        `headers` are group header lines, each before the row at its index."""
        selected_id = self.selected_item_id()
        self.rows = list(rows)
        self.headers = list(headers)
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

    def lines(self) -> list[RoadmapRow | str]:
        """What is drawn under the axis, top to bottom: the visible rows, with the
        group headers (text) between them."""
        if not self.headers:
            return list(self.visible_rows())
        at: dict[int, list[str]] = {}
        for index, text in self.headers:
            at.setdefault(index, []).append(text)
        out: list[RoadmapRow | str] = []
        hide = False
        for index, row in enumerate(self.rows):
            out.extend(at.get(index, ()))
            if row.depth == 0:
                hide = row.item.id in self.collapsed
                out.append(row)
            elif not hide:
                out.append(row)
        out.extend(at.get(len(self.rows), ()))
        return out

    def _selected_line(self) -> int:
        """The line the selected row is drawn on."""
        if not self.headers:
            return self.selected
        row = self.selected_row()
        for number, line in enumerate(self.lines()):
            if line is row:
                return number
        return 0

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
        line = self._selected_line()
        if self.headers and self.selected == 0:
            line = 0  # the first group's header stays in view above the first row
        if line < self.top:
            self.top = line
        elif line >= self.top + height:
            self.top = line - height + 1

    def on_resize(self) -> None:
        """Keep the selected row on screen after a resize."""
        self._keep_selection_visible()

    @property
    def label_width(self) -> int:
        """Columns for the item names."""
        return label_width(self.size.width)

    @property
    def cells(self) -> int:
        """Columns available for days."""
        return max(0, self.size.width - self.label_width - STATUS_WIDTH)

    def day_at(self, cell: int) -> date:
        """The first day a column stands for."""
        return self.origin + timedelta(days=cell * self.zoom.days_per_cell)

    def visible_days(self) -> int:
        """Days across the chart."""
        return self.cells * self.zoom.days_per_cell

    # ------------------------------------------------------------ drawing

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"timeline--{name}")

    def _background(self, name: str) -> Style:
        """Only the background (and boldness) of a component, blended over the widget's
        own: laid over other styles (a partial style would drop the blending)."""
        full = self._style(name)
        return Style(bgcolor=full.bgcolor, bold=full.bold)

    def render_line(self, y: int) -> Strip:
        """One screen line: the axis, sprints and milestones, or an item's bar."""
        width = self.size.width
        if y == 0:
            return self._axis_line(width)
        if y == 1:
            return self._marker_line(width)
        lines = self.lines()
        index = self.top + y - HEADER
        if index >= len(lines):
            return Strip([Segment(" " * width, self.rich_style)], width)
        line = lines[index]
        if isinstance(line, str):
            text = f" {line} ".ljust(width, "─")[:width]
            return Strip([Segment(text, self._style("group"))], width)
        return self._row_line(line, line is self.selected_row(), width)

    def _today_cell(self) -> int | None:
        offset = (self.today - self.origin).days
        cell = offset // self.zoom.days_per_cell if offset >= 0 else -1
        return cell if 0 <= cell < self.cells else None

    def _head(self, text: str) -> Segment:
        """The left part of a header line (over the names and the status column)."""
        head = self.label_width + STATUS_WIDTH
        return Segment(text.ljust(head)[:head], self._style("dim"))

    def _axis_line(self, width: int) -> Strip:
        chars = [" "] * self.cells
        axis = self._style("axis")
        styles: list[Style] = [axis] * self.cells
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
        # The marker never overwrites a label ("W4▼"): the rows' │ still shows today.
        if today is not None and chars[today] == " ":
            chars[today], styles[today] = "▼", self._style("today")
        head = self._head(f" {self.zoom.value}: {self.origin:%d %b %Y} →")
        return Strip([head, *_segments(chars, styles)], width)

    def _marker_line(self, width: int) -> Strip:
        chars = [" "] * self.cells
        styles: list[Style] = [self._style("dim")] * self.cells
        sprint_styles = (self._style("sprint"), self._style("sprint-alt"))
        for number, sprint in enumerate(self.sprints):
            first = (sprint.start_date - self.origin).days // self.zoom.days_per_cell
            last = (sprint.end_date - self.origin).days // self.zoom.days_per_cell
            for cell in range(max(0, first), min(self.cells, last + 1)):
                chars[cell], styles[cell] = "━", sprint_styles[number % 2]
            if 0 <= first < self.cells:
                for i, ch in enumerate(sprint.name[: max(0, min(last, self.cells) - first)]):
                    chars[first + i] = ch
        milestone = self._style("milestone")
        for stone in self.milestones:
            cell = (stone.date - self.origin).days // self.zoom.days_per_cell
            if 0 <= cell < self.cells:
                text = "◆ " + stone.title
                for i, ch in enumerate(text[: self.cells - cell]):
                    chars[cell + i], styles[cell + i] = ch, milestone
        today = self._today_cell()
        if today is not None and chars[today] == " ":
            chars[today], styles[today] = "│", self._style("today")
        return Strip([self._head(" sprints · milestones"), *_segments(chars, styles)], width)

    def _row_line(self, row: RoadmapRow, selected: bool, width: int) -> Strip:
        item = row.item
        label_w = self.label_width
        tag = "EPIC" if item.kind is Kind.EPIC else "FEAT"
        fold = ("▸ " if item.id in self.collapsed else "▾ ") if item.kind is Kind.EPIC else "  "
        flag = "!" if row.outside_epic or row.early_for else " "
        label = f"{'   ' * row.depth}{fold}{tag} #{item.id} {item.title}"
        label = (label[: label_w - 2] + "…") if len(label) > label_w - 1 else label
        label = label.ljust(label_w - 1) + flag
        bar = self._style(status_class(row.status).removeprefix("timeline--"))
        dim = self._style("dim")
        if row.scheduled:
            words = f"{row.done_percent:>4}% {row.status.value}"
            status = Segment(words.ljust(STATUS_WIDTH)[:STATUS_WIDTH], bar)
        else:
            status = Segment("   no dates".ljust(STATUS_WIDTH), dim)
        chars = [" "] * self.cells
        styles: list[Style] = [dim] * self.cells
        today = self._today_cell()
        if today is not None:
            chars[today], styles[today] = "│", self._style("today")
        if row.scheduled:
            assert item.start_date is not None and item.target_date is not None
            dpc = self.zoom.days_per_cell
            first = (item.start_date - self.origin).days // dpc
            last = (item.target_date - self.origin).days // dpc
            length = last - first + 1
            filled = round(length * row.done_percent / 100)
            in_bar = self._background("today-in-bar")
            for cell in range(max(0, first), min(self.cells, last + 1)):
                chars[cell] = "█" if cell - first < filled else "▒"
                styles[cell] = bar + in_bar if cell == today else bar
            # Why the ! is there, after the bar (the status itself has its column).
            notes = []
            if row.outside_epic:
                notes.append("features outside")
            if row.early_for:
                notes.append("starts before " + ", ".join(f"#{b}" for b in row.early_for) + " ends")
            words = (" " + " · ".join(notes)) if notes else ""
            start = max(0, last + 1)
            for i, ch in enumerate(words):
                if start + i < self.cells:
                    chars[start + i], styles[start + i] = ch, bar
        label_style = self.rich_style
        if selected:
            highlight = self._background("selected")
            styles = [s + highlight for s in styles]
            label_style += highlight
            status = Segment(status.text, (status.style or Style()) + highlight)
        return Strip([Segment(label, label_style), status, *_segments(chars, styles)], width)


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
