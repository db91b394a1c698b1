"""The roadmap: epics and their features on a calendar, with progress rolled up from
their stories, a status that also reads in words, and date arithmetic per zoom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog, planning, progress
from tpm_tui.services.backlog import ItemView, Rollup
from tpm_tui.text import markdown_text

# The plain values live in timescale.py (no database imports, for the TUI's first
# paint); they are names of this service too.
from tpm_tui.timescale import Status, Zoom, add_months, axis_label, quarter_of, shift_step

__all__ = [
    "Roadmap",
    "RoadmapRow",
    "Status",
    "Zoom",
    "add_months",
    "axis_label",
    "load_roadmap",
    "quarter_of",
    "render_markdown",
    "shift_item",
    "shift_step",
    "status_of",
]


def status_of(item: ItemView, rollup: Rollup | None, today: date, done_column: bool) -> Status:
    """Done; late (target passed, not done); at risk (the share of the date range gone
    is more than AT_RISK_GAP points ahead of the share of work done); on track."""
    sums = None if rollup is None else rollup.sums
    return progress.item_progress(sums, done_column, item.start_date, item.target_date, today)[1]


@dataclass(frozen=True)
class RoadmapRow:
    """One line of the roadmap: an epic, or a feature under it."""

    item: ItemView
    depth: int
    done_percent: int
    total_points: int
    status: Status
    outside_epic: bool = False  # an epic whose dates do not cover its features
    early_for: tuple[int, ...] = ()  # blockers that end after this item starts

    @property
    def scheduled(self) -> bool:
        """Whether it has both dates (else it is listed as unscheduled)."""
        return self.item.start_date is not None and self.item.target_date is not None


@dataclass(frozen=True)
class Roadmap:
    """Rows in order (epics, each followed by its features), milestones and sprints."""

    rows: list[RoadmapRow]
    milestones: list[planning.MilestoneView] = field(default_factory=list)
    sprints: list[planning.SprintView] = field(default_factory=list)

    @property
    def scheduled(self) -> list[RoadmapRow]:
        """Rows with dates."""
        return [r for r in self.rows if r.scheduled]

    @property
    def unscheduled(self) -> list[RoadmapRow]:
        """Rows missing a date."""
        return [r for r in self.rows if not r.scheduled]


def load_roadmap(db: Database, clock: Clock) -> Roadmap:
    """Every epic and feature (not archived) with roll-up and status."""
    today = clock.today()
    items = backlog.list_items(db, kinds=[Kind.EPIC, Kind.FEATURE])
    sums = backlog.rollups(db)
    done_columns = {c.key for c in backlog.list_columns(db) if c.is_done}
    blockers = backlog.dependencies(db)
    by_id = {i.id: i for i in items}
    targets: dict[int, date | None] = {i.id: i.target_date for i in items}
    for blocker_id in {b for bs in blockers.values() for b in bs} - set(by_id):
        targets[blocker_id] = backlog.get_item(db, blocker_id).target_date

    def early(item: ItemView) -> tuple[int, ...]:
        if item.start_date is None:
            return ()
        return tuple(
            b
            for b in blockers.get(item.id, [])
            if (t := targets.get(b)) is not None and t >= item.start_date
        )

    rows: list[RoadmapRow] = []
    order = progress.roadmap_order(
        [(i.id, i.kind, i.parent_id, i.start_date, i.target_date) for i in items]
    )
    for index, depth, outside in order:
        item = items[index]
        rollup = sums.get(item.id)
        percent, status = progress.item_progress(
            None if rollup is None else rollup.sums,
            item.status in done_columns,
            item.start_date,
            item.target_date,
            today,
        )
        total = rollup.total_points if rollup else 0
        rows.append(RoadmapRow(item, depth, percent, total, status, outside, early(item)))
    return Roadmap(rows, planning.list_milestones(db), planning.list_sprints(db))


def shift_item(
    db: Database, clock: Clock, item: ItemView, start_steps: int, target_steps: int, zoom: Zoom
) -> ItemView:
    """Move an item's start and/or target by zoom steps (target-only moves are a week)."""
    start = item.start_date
    target = item.target_date
    if start is None or target is None:
        from tpm_tui.errors import InvalidInput

        raise InvalidInput(f"#{item.id} has no dates yet: set them in the form (enter)")
    new_start = shift_step(start, zoom, start_steps) if start_steps else start
    new_target = shift_step(target, zoom, target_steps) if target_steps else target
    return backlog.edit_item(db, clock, item.id, start_date=new_start, target_date=new_target)


def render_markdown(roadmap: Roadmap) -> str:
    """The roadmap as a Markdown table for a status update."""
    lines = ["| Item | Start | Target | Done | Status |", "|---|---|---|---:|---|"]
    for r in roadmap.rows:
        item = r.item
        name = ("&nbsp;&nbsp;&nbsp;" * r.depth) + (
            f"{item.kind.value} #{item.id} {markdown_text(item.title)}"
        )
        status = r.status.value + (" (features outside its dates)" if r.outside_epic else "")
        if r.early_for:
            status += " (starts before " + ", ".join(f"#{b}" for b in r.early_for) + " ends)"
        lines.append(
            f"| {name} | {item.start_date or '–'} | {item.target_date or '–'} | "
            f"{r.done_percent} % | {status} |"
        )
    if roadmap.milestones:
        lines += [
            "",
            "Milestones: "
            + "; ".join(f"{m.date} {markdown_text(m.title)}" for m in roadmap.milestones),
        ]
    return "\n".join(lines) + "\n"
