"""Sprints and milestones: the calendar around the backlog (goals: services/goals.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.services import progress, validate
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

CAPACITY_MAX = 10_000


@dataclass(frozen=True)
class SprintView:
    """A sprint's name, dates and goal; once closed, its velocity and when."""

    id: int
    name: str
    start_date: date
    end_date: date
    goal: str
    capacity: int | None = None  # typed by a person; None: computed from the team
    velocity: int | None = None  # done points, recorded at the close
    closed_at: datetime | None = None
    retro: str = ""

    @property
    def closed(self) -> bool:
        """Whether the sprint was closed (its velocity recorded)."""
        return self.closed_at is not None

    @property
    def days(self) -> int:
        """Its length in days, first and last included."""
        return (self.end_date - self.start_date).days + 1

    def dates(self) -> str:
        """`2026-11-23 – 2026-12-06`."""
        return f"{self.start_date} – {self.end_date}"

    def state(self, today: date) -> str:
        """closed, planned (not started), running, or ended (past its end, not closed)."""
        if self.closed:
            return "closed"
        if today < self.start_date:
            return "planned"
        return "running" if today <= self.end_date else "ended"

    def days_left(self, today: date) -> int:
        """Days from today to the sprint's last day, counting today (0 once it is over)."""
        return progress.days_left(self.end_date, today)


@dataclass(frozen=True)
class MilestoneView:
    """A dated marker on the roadmap."""

    id: int
    title: str
    date: date


def check_capacity(value: int | None) -> int | None:
    """A typed capacity: a whole number of points from 0 to 10,000, or None."""
    if value is not None and not 0 <= value <= CAPACITY_MAX:
        raise InvalidInput(f"the capacity is points from 0 to {CAPACITY_MAX}", "capacity")
    return value


def check_free(ex: Executor, start: date, end: date, but: int | None = None) -> None:
    """Refuse dates that share a day with another sprint, naming it."""
    row = ex.row(q.sprints_overlapping, start=start, end=end, but=but)
    if row is not None:
        other = SprintView(*row)
        raise InvalidInput(
            f"{start} – {end} overlaps {other.name} ({other.dates()}): sprints may not share a day",
            "start_date",
        )


# Words that name no sprint where a sprint is asked for: `current` (the running one),
# `none` and `-` (no sprint), `backlog` (where `sprint close --carry-to` sends items).
RESERVED_SPRINT_NAMES = frozenset({"current", "none", "-", "backlog"})


def sprint_name(name: str) -> str:
    """A sprint's name, refused if a command could not reach the sprint by it: one of
    the reserved words, or a number (`1` and `#1` name the sprint with id 1)."""
    clean = validate.title(name, "sprint_name", validate.NAME_MAX)
    if clean.lower() in RESERVED_SPRINT_NAMES or clean.lstrip("#").isdigit():
        raise InvalidInput(
            f"{clean!r} cannot name a sprint: it means something else where a sprint is"
            " named (use words, such as 'Sprint 25')",
            "name",
        )
    return clean


def create_sprint(
    db: Database,
    name: str,
    start_date: date,
    end_date: date,
    goal: str = "",
    capacity: int | None = None,
) -> SprintView:
    """Add a sprint; names are unique, the end may not precede the start, and no two
    sprints share a day."""
    clean = sprint_name(name)
    validate.day(start_date, "start_date")
    validate.day(end_date, "end_date")
    validate.date_range(start_date, end_date, "start_date", "end_date")
    clean_goal = validate.block(goal, "goal")
    check_capacity(capacity)
    with db.write() as ex:
        if ex.scalar(q.sprint_id_by_name, name=clean.lower()) is not None:
            raise InvalidInput(f"there is already a sprint named {clean!r}", "name")
        check_free(ex, start_date, end_date)
        sprint_id = ex.scalar(
            q.sprint_insert,
            name=clean,
            start_date=start_date,
            end_date=end_date,
            goal=clean_goal,
            capacity=capacity,
            velocity=None,
            closed_at=None,
            retro="",
        )
    return SprintView(int(sprint_id), clean, start_date, end_date, clean_goal, capacity)


def list_sprints(db: Database) -> list[SprintView]:
    """Every sprint, earliest first."""
    with db.read() as ex:
        return [SprintView(*row) for row in ex.rows(q.sprints_all)]


def current_sprint(db: Database, today: date) -> SprintView | None:
    """The sprint running today (the latest-starting one if they overlap)."""
    with db.read() as ex:
        row = ex.row(q.sprint_current, today=today)
    return SprintView(*row) if row is not None else None


def resolve_sprint(db: Database, clock: Clock, text: str) -> SprintView:
    """A sprint by id, by name (any case), or `current`."""
    raw = text.strip()
    if raw.lower() == "current":
        found = current_sprint(db, clock.today())
        if found is None:
            raise NotFound("no sprint is running today", "sprint_id")
        return found
    for sprint in list_sprints(db):
        if raw.lower() == sprint.name.lower() or raw.lstrip("#") == str(sprint.id):
            return sprint
    raise NotFound(f"no sprint {text!r}: name one that exists, or `current`", "sprint_id")


def create_milestone(db: Database, title: str, on: date) -> MilestoneView:
    """Add a milestone on a date."""
    clean = validate.title(title)
    validate.day(on, "date")
    with db.write() as ex:
        milestone_id = ex.scalar(q.milestone_insert, title=clean, date=on)
    return MilestoneView(int(milestone_id), clean, on)


def list_milestones(db: Database) -> list[MilestoneView]:
    """Every milestone, by date."""
    with db.read() as ex:
        return [MilestoneView(*row) for row in ex.rows(q.milestones_all)]
