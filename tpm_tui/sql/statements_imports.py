"""Statements of the imports (`tpm import --from`, `tpm meetings`): the bulk reads and
writes an import of thousands of rows makes in one transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tpm_tui.models import WorkItem
from tpm_tui.sql.statements import (
    E,
    I,
    S,
    insert_all,
    param,
    statement,
    whose,
)


@statement
def imported_items() -> Any:
    """Every stored field of the items that came from one source (archived ones too)."""
    return sa.select(*I.columns).where(I.c.source == param("source", "str")).order_by(I.c.id)


@statement
def imported_item_ids() -> Any:
    """The id of each key of one source."""
    return sa.select(I.c.id, I.c.source_key).where(I.c.source == param("source", "str"))


@statement
def imported_items_insert() -> Any:
    """Many new items at once (every column given; ids read back by their keys)."""
    return insert_all(WorkItem, returning=None)


@statement
def items_with_children() -> Any:
    """The ids of items that have any child (archived ones included)."""
    return sa.select(I.c.parent_id).where(I.c.parent_id.is_not(None)).distinct()


@statement
def column_max_ranks() -> Any:
    """The highest rank in each column that holds items."""
    return sa.select(I.c.status, sa.func.max(I.c.rank)).group_by(I.c.status)


@statement
def sprint_names() -> Any:
    """Every sprint's id, name and dates."""
    return sa.select(S.c.id, S.c.name, S.c.start_date, S.c.end_date).order_by(S.c.id)


@statement
def entries_from_events() -> Any:
    """The entries logged from calendar events (the person's own): id, event id,
    category, times, note."""
    return (
        sa.select(E.c.id, E.c.external_id, E.c.category, E.c.started_at, E.c.ended_at, E.c.note)
        .where(E.c.external_id.is_not(None), whose())
        .order_by(E.c.id)
    )


@statement
def entry_spans_between() -> Any:
    """Id, event id and times of the person's entries that share some time with
    [start, end) (a running timer runs to now)."""
    now = param("now", "datetime")
    return (
        sa.select(E.c.id, E.c.external_id, E.c.started_at, sa.func.coalesce(E.c.ended_at, now))
        .where(
            E.c.started_at < param("end", "datetime"),
            sa.func.coalesce(E.c.ended_at, now) > param("start", "datetime"),
            whose(),
        )
        .order_by(E.c.started_at)
    )


@statement
def entry_move() -> Any:
    """An imported entry's category, times and note, as its event now says (the
    person's own)."""
    return (
        sa.update(E)
        .where(E.c.id == param("row_id", "int"), whose())
        .values(
            category=param("category", "str"),
            started_at=param("started_at", "datetime"),
            ended_at=param("ended_at", "datetime"),
            note=param("note", "str"),
        )
    )


@statement
def imported_item_set_parent() -> Any:
    """An imported item's parent (set once every new item has its id)."""
    return (
        sa.update(I)
        .where(I.c.id == param("row_id", "int"))
        .values(parent_id=param("parent_id", "int"))
    )
