"""SQLModel tables and enums. No queries here: services own them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tpm_tui.kinds import Category, Kind

__all__ = [
    "BoardColumn",
    "Category",
    "Dependency",
    "Goal",
    "Kind",
    "Milestone",
    "Sprint",
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


class Sprint(SQLModel, table=True):
    """A time-boxed iteration with a goal."""

    __tablename__ = "sprint"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    start_date: dt.date
    end_date: dt.date
    goal: str = ""


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
    )

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=20)
    started_at: dt.datetime = Field(index=True)
    ended_at: dt.datetime | None = None
    note: str = ""
    item_id: int | None = Field(default=None, foreign_key="work_item.id", index=True)
    created_at: dt.datetime
    person: str = Field(default="", max_length=60, index=True)  # whose hours (team mode)


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
