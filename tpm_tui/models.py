"""SQLModel tables and enums. No queries here: services own them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tpm_tui.kinds import Category, Kind

__all__ = [
    "BoardColumn",
    "Category",
    "DateChange",
    "Dependency",
    "DocumentVersion",
    "Goal",
    "ItemEvent",
    "KeyResult",
    "KeyResultValue",
    "Kind",
    "Milestone",
    "Sprint",
    "TeamAway",
    "TeamMember",
    "TimeEntry",
    "WorkItem",
]

KINDS_SQL = ", ".join(f"'{k.value}'" for k in Kind)
CATEGORIES_SQL = ", ".join(f"'{c.value}'" for c in Category)


class BoardColumn(SQLModel, table=True):
    """A column of the board; items point at it by key."""

    __tablename__ = "board_column"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=60)
    position: int
    wip_limit: int | None = None
    is_done: bool = False


class Goal(SQLModel, table=True):
    """A product goal, or the vision, that epics serve."""

    __tablename__ = "goal"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = ""
    position: int = 0
    created_at: dt.datetime
    due_date: dt.date | None = None
    archived_at: dt.datetime | None = None


class KeyResult(SQLModel, table=True):
    """A measurable result a goal is judged by: a metric moving from a baseline to a
    target (its values over time are KeyResultValue rows)."""

    __tablename__ = "key_result"
    __table_args__ = (sa.CheckConstraint("target <> baseline", name="ck_key_result_moves"),)

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)
    title: str = Field(max_length=200)
    unit: str = Field(default="", max_length=20)
    baseline: float
    target: float
    due_date: dt.date | None = None
    position: int = 0
    created_at: dt.datetime
    archived_at: dt.datetime | None = None


class KeyResultValue(SQLModel, table=True):
    """One measured value of a key result, on a day (the history its sparkline draws)."""

    __tablename__ = "key_result_value"

    id: int | None = Field(default=None, primary_key=True)
    key_result_id: int = Field(foreign_key="key_result.id", index=True)
    value: float
    recorded_on: dt.date
    created_at: dt.datetime


class Sprint(SQLModel, table=True):
    """A time-boxed iteration with a goal."""

    __tablename__ = "sprint"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    start_date: dt.date
    end_date: dt.date
    goal: str = ""
    # Points the team can take on, typed by a person (`--capacity`); null: computed from
    # the team's days and the points per person-day of past sprints.
    capacity: int | None = None
    # Done points, recorded when the sprint is closed (null while it is open).
    velocity: int | None = None
    closed_at: dt.datetime | None = None
    retro: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Milestone(SQLModel, table=True):
    """A dated marker on the roadmap."""

    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    date: dt.date


class WorkItem(SQLModel, table=True):
    """Every card: epics, features, stories, bugs and tech debt."""

    __tablename__ = "work_item"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({KINDS_SQL})", name="ck_work_item_kind"),
        sa.Index("ix_work_item_status_rank", "status", "rank"),
        # One item per key of each source (`tpm import --from jira` again updates it);
        # items made in tpm have neither and are not constrained.
        sa.Index("ux_work_item_source_key", "source", "source_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10, index=True)
    parent_id: int | None = Field(default=None, foreign_key="work_item.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    title: str = Field(max_length=200)
    description: str = ""
    acceptance: str = ""
    status: str = Field(foreign_key="board_column.key", max_length=40)
    rank: int = 0
    points: int | None = None
    sprint_id: int | None = Field(default=None, foreign_key="sprint.id", index=True)
    owner: str = Field(default="", max_length=60)
    start_date: dt.date | None = None
    target_date: dt.date | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    done_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    version: int = 0  # raised by every change: a form saving over another change sees it
    # Where an imported item came from: the tool ("jira", "github", "linear"), its key
    # there ("PAY-142", "org/repo#12"), and what the last import read for it (JSON), so
    # a re-import changes only the fields the source changed since.
    source: str | None = Field(default=None, max_length=20)
    source_key: str | None = Field(default=None, max_length=120)
    source_data: str | None = None


class TimeEntry(SQLModel, table=True):
    """Time spent in one category; `ended_at` is null while its timer runs."""

    __tablename__ = "time_entry"
    __table_args__ = (
        sa.CheckConstraint(f"category IN ({CATEGORIES_SQL})", name="ck_time_entry_category"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="ck_time_entry_order"),
        # One running timer per person. (The migration adds postgresql_where too;
        # naming it here would import that dialect at start.)
        sa.Index(
            "ux_time_entry_one_running",
            "person",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
        ),
        # A calendar event is logged once per person (a meeting has many attendees).
        sa.Index("ux_time_entry_external_id", "person", "external_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=20)
    started_at: dt.datetime = Field(index=True)
    ended_at: dt.datetime | None = None
    note: str = ""
    item_id: int | None = Field(default=None, foreign_key="work_item.id", index=True)
    created_at: dt.datetime
    person: str = Field(default="", max_length=60, index=True)  # whose hours (team mode)
    # The calendar event an imported meeting came from (UID and recurrence id), so a
    # second import of the same file finds it instead of logging it twice.
    external_id: str | None = Field(default=None, max_length=500)


class Setting(SQLModel, table=True):
    """A workspace setting (the weekly hours target...), stored as text."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)


class Dependency(SQLModel, table=True):
    """An item blocked by another: it should not start before its blocker ends."""

    __tablename__ = "dependency"
    __table_args__ = (
        sa.CheckConstraint("item_id <> blocked_by_id", name="ck_dependency_not_self"),
    )

    item_id: int = Field(foreign_key="work_item.id", primary_key=True)
    blocked_by_id: int = Field(foreign_key="work_item.id", primary_key=True, index=True)


class ItemEvent(SQLModel, table=True):
    """One change of an item's column, points, sprint or archive (or its creation), with
    the item's state right after it: burndowns, scope changes, stand-ups and cycle
    times are read from these rows."""

    __tablename__ = "item_event"
    __table_args__ = (sa.Index("ix_item_event_item_at", "item_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="work_item.id")
    at: dt.datetime = Field(index=True)
    # What changed: `created`, or some of status, points, sprint, archived, restored.
    change: str = Field(max_length=60)
    # The state after the change. The column is kept by key without a foreign key: a
    # column removed later leaves its history readable.
    status: str = Field(max_length=40)
    done: bool = False
    points: int | None = None
    sprint_id: int | None = Field(default=None, foreign_key="sprint.id", index=True)
    archived: bool = False


class TeamMember(SQLModel, table=True):
    """A person of the team, with the share of a day they spend on sprint work."""

    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    focus_percent: int = 70


class TeamAway(SQLModel, table=True):
    """Days a team member is away (holidays, training), first and last day included."""

    __tablename__ = "team_away"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="team_member.id", index=True)
    start_date: dt.date
    end_date: dt.date


class DocumentVersion(SQLModel, table=True):
    """One saved version of a written document: the product vision, or an epic's PRD.
    The newest version of a document is its current text; the older ones are its
    history. `sections_filled` / `sections_total` are the PRD's template sections
    written so far (kept here so a list of epics never reads the bodies)."""

    __tablename__ = "document_version"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('vision', 'prd')", name="ck_document_version_kind"),
        sa.Index("ix_document_version_kind_item", "kind", "item_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    item_id: int | None = Field(default=None, foreign_key="work_item.id")
    body: str = ""
    sections_filled: int = 0
    sections_total: int = 0
    saved_at: dt.datetime


class DateChange(SQLModel, table=True):
    """A change of an item's start or target date, with the dates before and after: what
    the status report's "dates that moved this week" reads."""

    __tablename__ = "date_change"
    __table_args__ = (
        sa.CheckConstraint("field IN ('start_date', 'target_date')", name="ck_date_change_field"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="work_item.id", index=True)
    field: str = Field(max_length=20)
    old_date: dt.date | None = None
    new_date: dt.date | None = None
    changed_at: dt.datetime = Field(index=True)
