"""The week screen: where this ISO week's hours went against the role's typical shares,
day by day, which items took them, how it compares with the weeks before, and the
total against the weekly target. E and C write it out as Markdown or CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from tpm_tui.durations import format_duration
from tpm_tui.errors import TpmError
from tpm_tui.kinds import Category
from tpm_tui.screens.base import WorkspaceScreen, queued, unless_leaving
from tpm_tui.widgets.key_bar import KeyBar
from tpm_tui.widgets.tables import measure_now
from tpm_tui.widgets.week_chart import WeekChart

if TYPE_CHECKING:
    from tpm_tui.services.reports import WeekView


class WeekScreen(WorkspaceScreen):
    """One ISO week (Monday first) against the typical split of a TPM's week."""

    ICON = "▤"
    LIVE = True  # reads again within a second of a commit made elsewhere

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "week(-1)", "Previous week", key_display="["),
        Binding("right_square_bracket", "week(1)", "Next week", key_display="]"),
        Binding("full_stop", "this_week", "This week", key_display="."),
        Binding("E", "export('md')", "Export Markdown", key_display="E"),
        Binding("C", "export('csv')", "Export CSV", key_display="C"),
        Binding("R", "status_report", "Status report", key_display="R"),
    ]

    class Loaded(Message):
        """A week read off the UI thread."""

        def __init__(self, view: WeekView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.monday: date | None = None
        self.view: WeekView | None = None
        self._heading: Content | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Reading the week…")
        with VerticalScroll(id="week-body"):
            yield Static("", id="week-headline")
            yield WeekChart(id="week-chart")
            table: DataTable[Any] = DataTable(
                id="week-days", cursor_type="none", zebra_stripes=True
            )
            table.add_columns("day", *(c.value for c in Category), "total")
            yield table
            yield Static("", id="week-target")
            yield Static("", id="week-trend")
            yield Static("", id="week-items")
        yield KeyBar()

    def reload(self, first: bool) -> None:
        """This week at first; the same week when coming back."""
        self.read(None if first else self.monday)

    def read(self, monday: date | None) -> None:
        """Show a week (this one if None), read afresh; keys wait until it is on screen."""
        self.expect_data()
        self.load(monday)

    @work(thread=True, exclusive=True, group="week-load")
    def load(self, monday: date | None) -> None:
        """Aggregate one week in SQL, off the UI thread."""
        from tpm_tui.services.reports import week_view

        ws = self.workspace
        try:
            view = week_view(ws.open(), ws.clock, monday)
        except TpmError as error:
            self.failed(error)
            return
        self.post_message(self.Loaded(view))

    @unless_leaving
    def on_week_screen_loaded(self, message: Loaded) -> None:
        """Show a freshly read week."""
        view = message.view
        report = view.report
        self.view, self.monday = view, report.start
        total = report.total_minutes
        this_week = report.start <= self.workspace.clock.today() <= report.end
        heading = f"Week {report.label} · {report.start:%a %d %b} – {report.end:%a %d %b %Y}"
        self._heading = Content.assemble(
            (heading, "bold"), (" (this week)" if this_week else ""), "   [ ] · . · E C R"
        )
        self.refresh_status()
        headline = self.query_one("#week-headline", Static)
        if total:
            split = " · ".join(f"{s.category.value} {s.percent:.0f} %" for s in report.categories)
            headline.update(
                Content.assemble((f"{format_duration(total)} logged", "bold"), f"   {split}")
            )
        else:
            headline.update(Content("No time logged this week yet — press t to log some."))
        self.query_one(WeekChart).show_shares(report.categories, total)
        self._fill_days(view)
        self._fill_target(view)
        self._fill_trend(view)
        self._fill_items(view)
        self.loaded()

    def _fill_days(self, view: WeekView) -> None:
        table = self.query_one("#week-days", DataTable)
        table.clear()
        for row in view.report.days:
            cells = [format_duration(row.minutes[c]) if row.minutes[c] else "·" for c in Category]
            table.add_row(
                f"{row.day:%a %d %b}", *cells, format_duration(row.total) if row.total else "·"
            )
        report = view.report
        table.add_row(
            Text("total", style="bold"),
            *(Text(format_duration(s.minutes), style="bold") for s in report.categories),
            Text(format_duration(report.total_minutes), style="bold"),
        )
        measure_now(table)

    def _fill_target(self, view: WeekView) -> None:
        total, target = view.report.total_minutes, view.target_minutes
        share = round(100 * total / target) if target else 0
        width = 30
        filled = min(width, round(share / 100 * width))
        self.query_one("#week-target", Static).update(
            Content.assemble(
                ("target       ", "bold"),
                ("█" * filled, "bold $primary"),
                ("·" * (width - filled), "dim"),
                f" {share:3d} %  {format_duration(total)} of {format_duration(target)}",
                ("   (tpm config week-target changes it)", "dim"),
            )
        )

    def _fill_trend(self, view: WeekView) -> None:
        weeks = view.weeks_compared
        if not weeks:
            text = Content.assemble(
                ("trend        ", "bold"), ("no time in the four weeks before", "dim")
            )
        else:
            parts: list[tuple[str, str] | str] = [("trend        ", "bold")]
            for share in view.report.categories:
                before = view.previous[share.category]
                if before is None:
                    continue
                delta = share.percent - before
                arrow = "▲" if delta > 0.5 else ("▼" if delta < -0.5 else "=")
                name = share.category.value
                parts.append(
                    f"{name} {share.percent:.0f} % vs {before:.0f} % {arrow}{abs(delta):.0f}   "
                )
            parts.append(
                (f"(average of the {weeks} week{'s' if weeks > 1 else ''} before with time)", "dim")
            )
            text = Content.assemble(*parts)
        self.query_one("#week-trend", Static).update(text)

    def _fill_items(self, view: WeekView) -> None:
        lines = [Content.assemble(("most time went to", "bold"))]
        if not view.items:
            lines.append(
                Content.assemble(
                    ("  no entries linked to items this week (#12 in a quick log links one)", "dim")
                )
            )
        for item in view.items:
            lines.append(
                Content.assemble(
                    f"  {format_duration(item.minutes):>7}  ",
                    (f"#{item.item_id} ", "dim"),
                    item.title,
                    (f"  {item.kind}", "dim"),
                )
            )
        self.query_one("#week-items", Static).update(Content("\n").join(lines))

    def refresh_status(self) -> None:
        """The week's heading."""
        if self._heading is not None:
            self.set_status(self._heading)

    # ------------------------------------------------------------ keys

    @queued
    def action_week(self, step: int) -> None:
        """A week back or forward."""
        if self.monday is not None:
            self.read(self.monday + timedelta(weeks=step))

    @queued
    def action_this_week(self) -> None:
        """Back to this week."""
        self.read(None)

    @queued
    def action_export(self, fmt: str) -> None:
        """Write the week as Markdown (E) or CSV (C), as `tpm report --format` does."""
        from tpm_tui.services.reports import render_week

        if self.view is None:
            return
        start = self.view.report.start
        self._write("week", fmt, lambda: render_week(self.db, self.workspace.clock, start, fmt))

    @queued
    def action_status_report(self) -> None:
        """Write the week's status report as Markdown, as `tpm report status` does."""
        from tpm_tui.services.status_report import render

        if self.view is None:
            return
        start = self.view.report.start
        self._write("status", "md", lambda: render(self.db, self.workspace.clock, start, "md"))

    def _write(self, name: str, fmt: str, text: Callable[[], str]) -> None:
        """Write a file for the shown week into the reports folder and say where."""
        from tpm_tui.config import make_private_dir, reports_dir, write_private_text

        assert self.view is not None
        folder = reports_dir()
        tag = self.workspace.file_tag
        path = folder / f"{name}-{self.view.report.label}{'-' + tag if tag else ''}.{fmt}"
        try:
            written = text()
            make_private_dir(folder)
            write_private_text(path, written)
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror}", severity="error", markup=False)
            return
        title = "Status report written" if name == "status" else "Week exported"
        self.notify(f"Wrote {path}", title=title, markup=False)
