"""`M` on the time screen: the week's meetings from the calendar file, each with what
logging it does; space unticks (or ticks) one, enter logs the ticked ones, esc leaves
without logging. Meetings that overlap time logged already start unticked."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tpm_tui.clock import Clock
from tpm_tui.durations import format_duration
from tpm_tui.importers.calendar import REMOVE, SKIP, Planned

LOGGABLE = ("add", "move", REMOVE)


class MeetingsPreview(ModalScreen[set[str] | None]):
    """The week's meetings, ticked to log; dismissed with the ticked event ids (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick / untick", key_display="space"),
        Binding("enter", "apply", "Log the ticked", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, heading: str, plans: list[Planned], clock: Clock) -> None:
        super().__init__()
        self.heading = heading
        self.plans = plans
        self.clock = clock
        self.ticked = {p.key for p in plans if p.action in LOGGABLE and not p.overlaps}

    def compose(self) -> ComposeResult:
        with Vertical(id="meetings-box"):
            yield Static(Content.assemble((self.heading, "bold")), id="meetings-heading")
            table: DataTable[Any] = DataTable(id="meetings", cursor_type="row")
            table.add_columns("", "day", "time", "length", "category", "meeting", "")
            yield table
            yield Static("", id="meetings-summary")
            yield Static(
                Content("space unticks or ticks · enter logs the ticked · esc cancels"),
                classes="field-hint",
            )

    def on_mount(self) -> None:
        """Fill the table with every meeting; skipped ones say why."""
        table = self.query_one("#meetings", DataTable)
        for plan in self.plans:
            m = plan.meeting
            start, end = self.clock.local(m.start), self.clock.local(m.end)
            table.add_row(
                self._tick(plan),
                f"{start:%a %d}",
                f"{start:%H:%M}–{end:%H:%M}" if m.skip != "all day" else "all day",
                format_duration(m.minutes) if m.skip != "all day" else "",
                m.category,
                Text(m.title),
                Text(self._what(plan)),
                key=plan.key,
            )
        self._summary()
        table.focus()

    def _tick(self, plan: Planned) -> str:
        if plan.action not in LOGGABLE:
            return " "
        return "☑" if plan.key in self.ticked else "☐"

    @staticmethod
    def _what(plan: Planned) -> str:
        what = {
            "add": "log",
            "move": "move its entry",
            "same": "logged already",
            REMOVE: f"remove its entry ({plan.meeting.skip} since)",
        }
        text = f"skip: {plan.meeting.skip}" if plan.action == SKIP else what[plan.action]
        if plan.overlaps:
            text += f" · overlaps {', '.join(f'#{i}' for i in plan.overlaps)}"
        return text

    def _summary(self) -> None:
        chosen = [p for p in self.plans if p.key in self.ticked]
        minutes = sum(p.meeting.minutes for p in chosen if p.action != REMOVE)
        self.query_one("#meetings-summary", Static).update(
            Content(f"{len(chosen)} ticked ({format_duration(minutes)})")
        )

    def action_tick(self) -> None:
        """Untick (or tick again) the meeting under the cursor."""
        table = self.query_one("#meetings", DataTable)
        if not self.plans:
            return
        plan = self.plans[table.cursor_row]
        if plan.action not in LOGGABLE:
            self.notify("Nothing to log for that one", markup=False)
            return
        self.ticked ^= {plan.key}
        table.update_cell(plan.key, table.ordered_columns[0].key, self._tick(plan))
        self._summary()

    def action_apply(self) -> None:
        """Log the ticked meetings."""
        self.dismiss(set(self.ticked))

    def action_cancel(self) -> None:
        """Leave without logging anything."""
        self.dismiss(None)
