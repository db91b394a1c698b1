"""The time screen: one day's entries, its totals per category, and editing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from tpm_tui.durations import format_duration
from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.screens.base import WorkspaceScreen, opens_form, queued, unless_leaving
from tpm_tui.undo import EntryDeleted, EntryEdited, UndoStack
from tpm_tui.widgets.key_bar import KeyBar
from tpm_tui.widgets.tables import measure_now

if TYPE_CHECKING:
    from tpm_tui.importers.calendar import Logged, Meeting, Planned
    from tpm_tui.services.timetrack import EntryView
    from tpm_tui.undo import Step


@dataclass(frozen=True)
class DayData:
    """A day's entries, which of them overlap, and the day's totals."""

    day: date
    entries: list[EntryView]
    overlaps: set[int]
    totals: dict[str, int]


class TimeScreen(WorkspaceScreen):
    """Today's time (or any day's): each entry, the day's totals, edit and delete."""

    AUTO_FOCUS = "#entries"
    ICON = "◷"
    LIVE = True  # reads again within a second of a commit made elsewhere
    # The cursor keys and enter are the screen's (priority: before the table's own),
    # so they wait their turn like every other key and j/k/g/G work as elsewhere.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Down", show=False, priority=True),
        Binding("up,k", "cursor(-1)", "Up", show=False, priority=True),
        Binding("home,g", "cursor_end(-1)", "First", show=False, priority=True),
        Binding("end,G", "cursor_end(1)", "Last", show=False, priority=True),
        Binding("left_square_bracket", "day(-1)", "Previous day", key_display="["),
        Binding("right_square_bracket", "day(1)", "Next day", key_display="]"),
        Binding("full_stop", "today", "Today", key_display="."),
        Binding("e,enter", "edit", "Edit", key_display="e"),
        Binding("enter", "edit", show=False, priority=True),  # before the table's enter
        Binding("x", "delete", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("M", "meetings", "Meetings"),
    ]

    class Loaded(Message):
        """A day read off the UI thread."""

        def __init__(self, data: DayData, focus: int | None) -> None:
            super().__init__()
            self.data = data
            self.focus = focus

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        self.data: DayData | None = None
        self.undo = UndoStack()

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Reading the day…")
        table: DataTable[Any] = DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        table.add_column("start")
        # As wide as "running" from the start: a column widened only once a running
        # entry arrives was seen cut to "runni" on a loaded machine.
        table.add_column("end", width=len("running"))
        table.add_columns("time", "category", "note", "item", "")
        yield table
        yield Static("", id="day-totals")
        yield KeyBar()

    def reload(self, first: bool) -> None:
        """Today at first; the same day when coming back."""
        self.read(None if first else self.day)

    def read(self, day: date | None, focus: int | None = None) -> None:
        """Show a day (today if None), read afresh; keys wait until it is on screen."""
        self.expect_data()
        self.load(day, focus)

    @work(thread=True, exclusive=True, group="time-load")
    def load(self, day: date | None, focus: int | None = None) -> None:
        """Read one day's entries and totals."""
        from tpm_tui.services.timetrack import entries_for_day, overlapping

        ws = self.workspace
        try:
            db = ws.open()
            target = day or ws.clock.today()
            entries = entries_for_day(db, ws.clock, target)
        except TpmError as error:
            self.failed(error)
            return
        totals: dict[str, int] = {}
        for entry in entries:
            totals[entry.category.value] = totals.get(entry.category.value, 0) + entry.minutes
        data = DayData(target, entries, overlapping(entries, ws.clock.now()), totals)
        self.post_message(self.Loaded(data, focus))

    @unless_leaving
    def on_time_screen_loaded(self, message: Loaded) -> None:
        """Fill the table, keeping the cursor on the same entry."""
        data = message.data
        table = self.query_one("#entries", DataTable)
        keep = message.focus if message.focus is not None else self._selected_id()
        row = table.cursor_row if data.day == self.day else 0
        self.day, self.data = data.day, data
        table.clear()
        for entry in data.entries:
            end = "running" if entry.ended_at is None else f"{entry.ended_at:%H:%M}"
            item = f"#{entry.item_id} {entry.item_title or ''}".strip() if entry.item_id else ""
            table.add_row(
                f"{entry.started_at:%H:%M}",
                end,
                format_duration(entry.minutes),
                entry.category.value,
                Text(entry.note),  # user text: never markup
                Text(item),
                Text("⚠ overlaps", style="bold yellow") if entry.id in data.overlaps else "",
                key=str(entry.id),
            )
        measure_now(table)
        ids = [e.id for e in data.entries]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        elif ids:  # the entry went (deleted): the next one takes its place under the cursor
            table.move_cursor(row=min(row, len(ids) - 1))
        self._update_totals()
        self.loaded()

    def refresh_status(self) -> None:
        """The day's heading and totals."""
        self._update_totals()

    def _update_totals(self) -> None:
        data = self.data
        assert data is not None
        total = sum(data.totals.values())
        today = self.workspace.clock.today()
        label = (
            "today"
            if data.day == today
            else ("yesterday" if data.day == today - timedelta(days=1) else "")
        )
        heading = f"{data.day:%A %d %B %Y}" + (f" ({label})" if label else "")
        self.set_status(Content.assemble((heading, "bold"), "   [ ] move a day · . today"))
        totals = self.query_one("#day-totals", Static)
        if not total:
            totals.update(
                Content("No time logged on this day yet — press t to log some, s to start a timer.")
            )
            return
        parts: list[tuple[str, str] | str] = [("Total ", "bold"), (format_duration(total), "bold")]
        for category in ("meetings", "tooling", "deliverables"):
            minutes = data.totals.get(category, 0)
            parts.append(
                f"   {category} {format_duration(minutes)} ({round(100 * minutes / total)}%)"
            )
        if data.overlaps:
            parts.append(("   ⚠ some entries overlap", "bold $warning"))
        totals.update(Content.assemble(*parts))

    def _selected_id(self) -> int | None:
        table = self.query_one("#entries", DataTable)
        if self.data is None or not self.data.entries or table.cursor_row is None:
            return None
        row = min(table.cursor_row, len(self.data.entries) - 1)
        return self.data.entries[row].id

    def _selected(self) -> EntryView | None:
        entry_id = self._selected_id()
        assert self.data is not None or entry_id is None
        return next((e for e in self.data.entries if e.id == entry_id), None) if self.data else None

    # ------------------------------------------------------------ keys

    @queued
    def action_cursor(self, step: int) -> None:
        """Down or up an entry."""
        table = self.query_one("#entries", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    @queued
    def action_cursor_end(self, end: int) -> None:
        """To the first (-1) or the last (1) entry."""
        table = self.query_one("#entries", DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1 if end > 0 else 0)

    @queued
    def action_day(self, step: int) -> None:
        """Go a day back or forward."""
        if self.day is not None:
            self.read(self.day + timedelta(days=step))

    @queued
    def action_today(self) -> None:
        """Back to today."""
        self.read(None)

    @queued
    def action_delete(self) -> None:
        """Delete the entry under the cursor (u puts it back)."""
        from tpm_tui.services.timetrack import delete_entry

        entry = self._selected()
        if entry is None:
            return
        clock = self.workspace.clock

        def done(gone: EntryView) -> None:
            self.undo.push(EntryDeleted(gone))
            self.notify(f"Deleted {gone.describe()} — u brings it back", markup=False)
            self.tpm.read_timer()
            self.read(self.day)

        self.save("delete", lambda db: delete_entry(db, clock, entry.id), done)

    @queued
    def action_undo(self) -> None:
        """Take back the last delete or edit."""
        clock = self.workspace.clock

        def done(result: tuple[Step, int | None]) -> None:
            step, focus = result
            self.notify(f"Undid the {step.label}", markup=False)
            self.tpm.read_timer()
            self.read(self.day, focus)

        self.save("undo", lambda db: self.undo.undo(db, clock), done)

    @queued
    @opens_form
    def action_edit(self) -> None:
        """Edit the entry under the cursor in a form."""
        from tpm_tui.screens.entry_form import EntryForm

        entry = self._selected()
        if entry is None:
            return
        values = {
            "started_at": f"{entry.started_at:%H:%M}",
            "minutes": "" if entry.running else format_duration(entry.minutes),
            "category": entry.category.value,
            "note": entry.note,
            "item_id": f"#{entry.item_id}" if entry.item_id else "",
        }
        before = {
            "started_at": entry.started_at,
            "minutes": None if entry.running else entry.minutes,
            "category": entry.category,
            "note": entry.note,
            "item_id": entry.item_id,
        }

        saved_as: list[EntryView] = []

        def save(typed: dict[str, str]) -> None:
            changes = self._typed(entry, typed)
            from tpm_tui.services.timetrack import edit_entry

            saved_as.append(edit_entry(self.db, self.workspace.clock, entry.id, **changes))
            self.undo.push(EntryEdited(entry.id, before))

        def done(saved: bool | None) -> None:
            if saved and saved_as:
                edited = saved_as[-1]
                self.notify(f"Saved {edited.describe()} ({edited.span()}) · u undoes", markup=False)
                self.tpm.read_timer()
                self.read(self.day, entry.id)

        self.app.push_screen(
            EntryForm(f"Edit the {entry.category.value} entry", values, save), done
        )

    @queued
    def action_meetings(self) -> None:
        """The shown day's week of meetings from the calendar file, in a preview that
        logs the ticked ones."""
        if self.day is not None:
            self.read_meetings(self.day)

    @work(thread=True, exclusive=True, group="time-meetings")
    def read_meetings(self, day: date) -> None:
        """Read the calendar file and plan its week (off the UI thread)."""
        from tpm_tui.importers.calendar import read_meeting_week

        ws = self.workspace
        try:
            heading, meetings, plans = read_meeting_week(ws.open(), ws.clock, day)
        except TpmError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        self.app.call_from_thread(self._preview, heading, meetings, plans)

    def _preview(self, heading: str, meetings: list[Meeting], plans: list[Planned]) -> None:
        from tpm_tui.importers.calendar import log_meetings
        from tpm_tui.screens.meetings_preview import MeetingsPreview

        clock = self.workspace.clock

        def done(logged: Logged) -> None:
            removed = f", removed {logged.removed}" if logged.removed else ""
            said = f"Logged {logged.added} meetings, moved {logged.moved}{removed}"
            self.notify(said, markup=False)
            self.read(self.day)

        def chosen(keys: set[str] | None) -> None:
            if keys is None:
                return
            if not keys:
                self.notify("Nothing ticked: nothing logged", markup=False)
                return
            self.save(
                "meeting import", lambda db: log_meetings(db, clock, meetings, only=keys), done
            )

        self.app.push_screen(MeetingsPreview(heading, plans, clock), chosen)

    def _typed(self, entry: EntryView, typed: dict[str, str]) -> dict[str, Any]:
        """Form text to edit_entry arguments; each error names its field."""
        from tpm_tui.dates import parse_clock_time
        from tpm_tui.durations import parse_duration
        from tpm_tui.kinds import parse_category
        from tpm_tui.services.validate import item_id

        def named(field: str, parse: Any, text: str) -> Any:
            try:
                return parse(text)
            except InvalidInput as error:
                raise InvalidInput(str(error), field) from None

        start_time = named("started_at", parse_clock_time, typed["started_at"])
        started = self.workspace.clock.at(entry.started_at.date(), start_time)
        minutes = None
        if typed["minutes"].strip() or not entry.running:
            minutes = named("minutes", parse_duration, typed["minutes"])
        item_text = typed["item_id"].strip()
        return {
            "started_at": started,
            "minutes": minutes,
            "category": named("category", parse_category, typed["category"]),
            "note": typed["note"],
            "item_id": named("item_id", item_id, item_text) if item_text else None,
        }
