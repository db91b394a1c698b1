"""Sprints, goals and milestones: the calendar and purpose around the backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import col

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.models import Goal, Milestone, Sprint
from tpm_tui.services import validate


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


@dataclass(frozen=True)
class GoalView:
    """A product goal that epics serve."""

    id: int
    title: str
    description: str


def _sprint_view(s: Sprint) -> SprintView:
    assert s.id is not None
    return SprintView(s.id, s.name, s.start_date, s.end_date, s.goal)


def create_sprint(
    db: Database, name: str, start_date: date, end_date: date, goal: str = ""
) -> SprintView:
    """Add a sprint; names are unique and the end may not precede the start."""
    clean = validate.title(name, "sprint_name", validate.NAME_MAX)
    validate.day(start_date, "start_date")
    validate.day(end_date, "end_date")
    validate.date_range(start_date, end_date, "start_date", "end_date")
    with db.write() as session:
        taken = session.execute(
            sa.select(col(Sprint.id)).where(sa.func.lower(col(Sprint.name)) == clean.lower())
        ).first()
        if taken is not None:
            raise InvalidInput(f"there is already a sprint named {clean!r}", "name")
        sprint = Sprint(
            name=clean, start_date=start_date, end_date=end_date, goal=validate.block(goal, "goal")
        )
        session.add(sprint)
        session.flush()
        return _sprint_view(sprint)


def list_sprints(db: Database) -> list[SprintView]:
    """Every sprint, earliest first."""
    with db.read() as session:
        rows = session.execute(
            sa.select(Sprint).order_by(col(Sprint.start_date), col(Sprint.id))
        ).scalars()
        return [_sprint_view(s) for s in rows]


def current_sprint(db: Database, today: date) -> SprintView | None:
    """The sprint running today (the latest-starting one if they overlap)."""
    with db.read() as session:
        sprint = session.execute(
            sa.select(Sprint)
            .where(col(Sprint.start_date) <= today, col(Sprint.end_date) >= today)
            .order_by(col(Sprint.start_date).desc())
            .limit(1)
        ).scalar_one_or_none()
        return _sprint_view(sprint) if sprint is not None else None


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
    with db.write() as session:
        milestone = Milestone(title=clean, date=on)
        session.add(milestone)
        session.flush()
        assert milestone.id is not None
        return MilestoneView(milestone.id, milestone.title, milestone.date)


def list_milestones(db: Database) -> list[MilestoneView]:
    """Every milestone, by date."""
    with db.read() as session:
        rows = session.execute(
            sa.select(Milestone).order_by(col(Milestone.date), col(Milestone.id))
        ).scalars()
        return [MilestoneView(m.id or 0, m.title, m.date) for m in rows]


def create_goal(db: Database, clock: Clock, title: str, description: str = "") -> GoalView:
    """Add a product goal."""
    clean = validate.title(title)
    with db.write() as session:
        position = session.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one()
        goal = Goal(
            title=clean,
            description=validate.block(description, "description"),
            position=int(position) + 1,
            created_at=clock.now(),
        )
        session.add(goal)
        session.flush()
        assert goal.id is not None
        return GoalView(goal.id, goal.title, goal.description)


def list_goals(db: Database) -> list[GoalView]:
    """Every goal, in order."""
    with db.read() as session:
        rows = session.execute(sa.select(Goal).order_by(col(Goal.position), col(Goal.id))).scalars()
        return [GoalView(g.id or 0, g.title, g.description) for g in rows]
