"""The roadmap screen: epics and features over weeks, months or quarters, moved and
stretched from the keyboard, every change saved at once and undoable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.kinds import Kind
from tpm_tui.screens.base import WorkspaceScreen, opens_form, queued, unless_leaving
from tpm_tui.screens.item_editing import edit_form
from tpm_tui.screens.timekeeping import LineModal
from tpm_tui.timescale import Status, Zoom
from tpm_tui.undo import DatesChanged, ItemEdited, UndoStack
from tpm_tui.widgets.key_bar import KeyBar
from tpm_tui.widgets.timeline import MILESTONE_COLOUR, STATUS_COLOURS, TODAY_COLOUR, Timeline

if TYPE_CHECKING:
    from tpm_tui.db import Database
    from tpm_tui.services.backlog import ItemView
    from tpm_tui.services.goals import RoadmapGroup
    from tpm_tui.services.roadmap import Roadmap
    from tpm_tui.undo import Step


class RoadmapScreen(WorkspaceScreen):
    """Epics and their features as bars from start to target date."""

    AUTO_FOCUS = ""
    ICON = "▬"
    LIVE = True  # reads again within a second of a commit made elsewhere
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "select(1)", "Down", show=False),
        Binding("up,k", "select(-1)", "Up", show=False),
        Binding("left,h", "scroll_time(-1)", "Earlier", show=False),
        Binding("right,l", "scroll_time(1)", "Later", show=False),
        Binding("H,shift+left", "shift(-1)", "Shift earlier", key_display="H"),
        Binding("L,shift+right", "shift(1)", "Shift later", key_display="L"),
        Binding("less_than_sign", "stretch(-1)", "Target −1w", key_display="<"),
        Binding("greater_than_sign", "stretch(1)", "Target +1w", key_display=">"),
        Binding("plus,z", "zoom(1)", "Zoom out", key_display="z"),
        Binding("minus", "zoom(-1)", "Zoom in", key_display="-"),
        Binding("space", "fold", "Fold epic", show=False),
        Binding("enter,e", "edit", "Edit", key_display="⏎"),
        Binding("m", "milestone", "Milestone"),
        Binding("g", "group", "Group by goal"),
        Binding("p", "prd", "PRD"),
        Binding("full_stop", "today", "Today", key_display="."),
        Binding("u", "undo", "Undo"),
    ]

    class Loaded(Message):
        """The roadmap read off the UI thread."""

        def __init__(
            self, roadmap: Roadmap, focus: int | None, groups: list[RoadmapGroup] | None
        ) -> None:
            super().__init__()
            self.roadmap = roadmap
            self.focus = focus
            self.groups = groups

    def __init__(self) -> None:
        super().__init__()
        self.roadmap: Roadmap | None = None
        self.undo = UndoStack()
        self._placed = False
        self.grouped = False  # g: the epics grouped by the goal they serve

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Reading the roadmap…")
        yield Timeline(self.workspace.clock.today(), id="timeline")
        yield Static("", id="roadmap-unscheduled")
        yield Static(self._legend(), id="roadmap-legend")
        yield KeyBar()

    @staticmethod
    def _legend() -> Content:
        parts: list[tuple[str, str] | str] = [("█", "bold"), " done share  ", ("▒", ""), " to do  "]
        parts += [("│", f"bold {TODAY_COLOUR}"), " today  "]
        parts += [("◆", f"bold {MILESTONE_COLOUR}"), " milestone   "]
        for status in (Status.ON_TRACK, Status.AT_RISK, Status.LATE, Status.DONE):
            parts += [(f"■ {status.value}", f"bold {STATUS_COLOURS[status]}"), "  "]
        parts.append(
            ("at risk: time gone runs >20 points ahead of work done · ! features outside", "dim")
        )
        return Content.assemble(*parts)

    def reload(self, first: bool) -> None:
        """Read it (again), keeping the selection."""
        self.read(None if first else self.timeline.selected_item_id())

    def read(self, focus: int | None = None) -> None:
        """Read it afresh (after a change); keys wait until it is on screen, so none
        acts on rows about to move."""
        self.expect_data()
        self.load(focus)

    @property
    def timeline(self) -> Timeline:
        """The chart."""
        return self.query_one(Timeline)

    @work(thread=True, exclusive=True, group="roadmap-load")
    def load(self, focus: int | None = None) -> None:
        """Read epics, features, milestones and sprints."""
        from tpm_tui.services.roadmap import load_roadmap

        ws = self.workspace
        groups = None
        try:
            roadmap = load_roadmap(ws.open(), ws.clock)
            if self.grouped:
                from tpm_tui.services.goals import group_rows, load_goals

                goal_list = load_goals(ws.open(), ws.clock).goals
                groups = group_rows(roadmap.rows, goal_list)
        except TpmError as error:
            self.failed(error)
            return
        self.post_message(self.Loaded(roadmap, focus, groups))

    @unless_leaving
    def on_roadmap_screen_loaded(self, message: Loaded) -> None:
        """Draw it; the first time, start a little before today."""
        self.roadmap = message.roadmap
        timeline = self.timeline
        today = self.workspace.clock.today()
        if not self._placed:
            self._placed = True
            timeline.origin = self._start_for(today)
        rows, headers = message.roadmap.rows, []
        if message.groups is not None:
            rows = []
            for group in message.groups:
                headers.append((len(rows), group.header))
                rows.extend(group.rows)
        timeline.show(rows, message.roadmap.milestones, message.roadmap.sprints, today, headers)
        if message.focus is not None:
            timeline.select_item(message.focus)
        self.refresh_status()
        self.loaded()

    def _start_for(self, day: date) -> date:
        """An origin that puts `day` a quarter of the way across, on a Monday."""
        timeline = self.timeline
        back = max(7, timeline.visible_days() // 4)
        start = day - timedelta(days=back)
        return start - timedelta(days=start.weekday())

    def refresh_status(self) -> None:
        """The line under the title: zoom and how many items are in each state."""
        roadmap = self.roadmap
        if roadmap is None:
            return
        timeline = self.timeline
        counts: dict[str, int] = {}
        for row in roadmap.scheduled:
            counts[row.status.value] = counts.get(row.status.value, 0) + 1
        summary = (
            " · ".join(f"{n} {status}" for status, n in counts.items()) or "nothing scheduled yet"
        )
        self.set_status(
            Content.assemble(
                ("Roadmap", "bold"),
                f"  {timeline.zoom.value}{' · by goal' if self.grouped else ''} · {summary}",
            )
        )
        unscheduled = roadmap.unscheduled
        box = self.query_one("#roadmap-unscheduled", Static)
        if not roadmap.rows:
            box.update(
                Content(
                    "No epics or features yet: n on the board (1) adds one, "
                    'and so does tpm add epic "…" --start … --target …'
                )
            )
        elif unscheduled:
            names = ", ".join(f"#{r.item.id} {r.item.title}" for r in unscheduled[:8])
            more = f" and {len(unscheduled) - 8} more" if len(unscheduled) > 8 else ""
            box.update(
                Content.assemble(
                    ("unscheduled: ", "bold"),
                    names + more,
                    ("  (enter on one sets its dates)", "dim"),
                )
            )
        else:
            box.update("")

    # ------------------------------------------------------------ moving around

    @queued
    def action_group(self) -> None:
        """Group the epics by the goal they serve (g again: by dates)."""
        self.grouped = not self.grouped
        self.read(self.timeline.selected_item_id())

    @queued
    def action_prd(self) -> None:
        """Open the PRD of the epic under the cursor (or of a feature's epic)."""
        from tpm_tui.screens.prd import open_prd

        row = self.timeline.selected_row()
        if row is None:
            return
        item = row.item
        epic_id = item.id if item.kind is Kind.EPIC else item.epic_id
        if epic_id is None:
            self.notify(f"#{item.id} is under no epic: PRDs belong to epics", severity="warning")
            return
        open_prd(self, epic_id)

    @queued
    def action_select(self, delta: int) -> None:
        """Up or down the rows."""
        self.timeline.move_selection(delta)

    @queued
    def action_scroll_time(self, direction: int) -> None:
        """Earlier or later by a quarter of the chart."""
        timeline = self.timeline
        step = max(7, timeline.visible_days() // 4)
        timeline.origin += timedelta(days=direction * step)
        timeline.refresh()
        self.refresh_status()

    @queued
    def action_today(self) -> None:
        """Bring today into view."""
        timeline = self.timeline
        timeline.origin = self._start_for(self.workspace.clock.today())
        timeline.refresh()

    @queued
    def action_zoom(self, direction: int) -> None:
        """Weeks → months → quarters (and back), keeping the selected item in view;
        it stops at either end and says so."""
        timeline = self.timeline
        zoom = timeline.zoom.step(direction)
        if zoom is None:
            way, key = ("out", "-") if direction > 0 else ("in", "z")
            self.notify(
                f"Zoomed {way} as far as it goes ({timeline.zoom.value}); {key} zooms back",
                timeout=3,
            )
            return
        timeline.zoom = zoom
        row = timeline.selected_row()
        anchor = (
            row.item.start_date if row and row.item.start_date else self.workspace.clock.today()
        )
        timeline.origin = self._start_for(anchor)
        timeline.refresh()
        self.refresh_status()

    @queued
    def action_fold(self) -> None:
        """Fold or unfold the selected epic's features."""
        timeline = self.timeline
        row = timeline.selected_row()
        if row is None:
            return
        epic_id = row.item.id if row.depth == 0 else row.item.parent_id
        if epic_id is None:
            return
        timeline.collapsed ^= {epic_id}
        timeline.select_item(epic_id)
        timeline.show(timeline.rows, timeline.milestones, timeline.sprints, timeline.today)

    # ------------------------------------------------------------ changes

    def _change_dates(self, start_steps: int, target_steps: int, zoom: Zoom, what: str) -> None:
        from tpm_tui.services import backlog
        from tpm_tui.services.roadmap import shift_item

        row = self.timeline.selected_row()
        if row is None:
            return
        clock, item_id = self.workspace.clock, row.item.id

        def write(db: Database) -> tuple[ItemView, ItemView]:
            # the drawn row may be a reload behind: shift what is stored now
            item = backlog.get_item(db, item_id)
            return item, shift_item(db, clock, item, start_steps, target_steps, zoom)

        def done(result: tuple[ItemView, ItemView]) -> None:
            before, after = result
            self.undo.push(DatesChanged(before.id, before.start_date, before.target_date, what))
            self.notify(
                f"#{after.id} now runs {after.start_date:%d %b} – {after.target_date:%d %b %Y}"
                " · u undoes",
                title=f"Saved the {what}",
                timeout=2,
                markup=False,
            )
            self.read(before.id)

        self.save(f"{what} of #{item_id}", write, done)

    @queued
    def action_shift(self, steps: int) -> None:
        """Move the selected item a week (a month, a quarter at those zooms)."""
        self._change_dates(steps, steps, self.timeline.zoom, "shift")

    @queued
    def action_stretch(self, weeks: int) -> None:
        """Move the selected item's target date a week."""
        self._change_dates(0, weeks, Zoom.WEEKS, "target change")

    @queued
    def action_undo(self) -> None:
        """Take back the last date change or edit."""
        clock = self.workspace.clock

        def done(result: tuple[Step, int | None]) -> None:
            step, focus = result
            self.notify(f"Undid the {step.label}", markup=False)
            self.read(focus)

        self.save("undo", lambda db: self.undo.undo(db, clock), done)

    @queued
    @opens_form
    def action_edit(self) -> None:
        """The same item form as the board."""
        row = self.timeline.selected_row()
        if row is None:
            return
        ws = self.workspace
        edits: list[ItemEdited] = []

        def saved(edited: ItemEdited) -> None:
            self.undo.push(edited)
            edits.append(edited)

        def done(item_id: int | None) -> None:
            if item_id is None:
                return
            if edits:
                self.notify(f"Saved the {edits[-1].label} · u undoes", markup=False)
            else:
                self.notify(f"Nothing changed in #{item_id}", markup=False)
            self.read(item_id)

        self.app.push_screen(edit_form(self.db, ws.clock, row.item.id, saved), done)

    @queued
    @opens_form
    def action_milestone(self) -> None:
        """Add a milestone: a title, on the selected item's target date unless @date."""
        from tpm_tui.dates import parse_day

        row = self.timeline.selected_row()
        ws = self.workspace
        default = (
            row.item.target_date if row and row.item.target_date else None
        ) or ws.clock.today()

        def parse(text: str) -> tuple[str, date]:
            words, on = [], default
            for word in text.split():
                if word.startswith("@") and len(word) > 1:
                    try:
                        on = date.fromisoformat(word[1:])
                    except ValueError:
                        on = parse_day(word[1:], ws.clock.today())
                else:
                    words.append(word)
            if not words:
                raise InvalidInput("type the milestone's title (and @2027-01-15 for another date)")
            return " ".join(words), on

        def check(text: str) -> str:
            title, on = parse(text)
            return f"milestone “{title}” on {on:%a %d %b %Y}"

        def save(text: str) -> str:
            from tpm_tui.services.planning import create_milestone

            title, on = parse(text)
            milestone = create_milestone(self.db, title, on)
            return f"Added the milestone {milestone.title} on {milestone.date:%d %b %Y}"

        def done(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)
                self.read(self.timeline.selected_item_id())

        hint = (
            f"TITLE [@date] — on {default:%d %b %Y} unless you give @2027-01-15"
            " · enter adds · esc cancels"
        )
        self.app.push_screen(LineModal("New milestone", hint, check, save), done)
