"""Sprints and milestones: the calendar around the backlog (goals: services/goals.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.services import validate
from tpm_tui.sql import compiled as q


@dataclass(frozen=True)
class SprintView:
    """A sprint's name, dates and goal."""

    id: int
    name: str
    start_date: date
    end_date: date
    goal: str

    def days_left(self, today: date) -> int:
        """Days from today to the sprint's last day, counting today (0 once it is over)."""
        return max(0, (self.end_date - today).days + 1)


@dataclass(frozen=True)
class MilestoneView:
    """A dated marker on the roadmap."""

    id: int
    title: str
    date: date


def create_sprint(
    db: Database, name: str, start_date: date, end_date: date, goal: str = ""
) -> SprintView:
    """Add a sprint; names are unique and the end may not precede the start."""
    clean = validate.title(name, "sprint_name", validate.NAME_MAX)
    validate.day(start_date, "start_date")
    validate.day(end_date, "end_date")
    validate.date_range(start_date, end_date, "start_date", "end_date")
    clean_goal = validate.block(goal, "goal")
    with db.write() as ex:
        if ex.scalar(q.sprint_id_by_name, name=clean.lower()) is not None:
            raise InvalidInput(f"there is already a sprint named {clean!r}", "name")
        sprint_id = ex.scalar(
            q.sprint_insert, name=clean, start_date=start_date, end_date=end_date, goal=clean_goal
        )
    return SprintView(int(sprint_id), clean, start_date, end_date, clean_goal)


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
