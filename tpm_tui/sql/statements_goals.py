"""Statements of goals and vision, key results, written documents (the vision, PRDs),
items' date changes and the status report. Registered with statements.py's
`@statement`, compiled into compiled.py like every other."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tpm_tui.models import DateChange, DocumentVersion, Goal, KeyResult, KeyResultValue
from tpm_tui.sql.statements import (
    EPIC_ID,
    ITEMS_FROM,
    LEAF_KINDS,
    C,
    D,
    G,
    I,
    P,
    _epic_of,
    insert_all,
    param,
    statement,
    table,
)

GOAL = table(Goal)
KR = table(KeyResult)
KRV = table(KeyResultValue)
DOC = table(DocumentVersion)
DC = table(DateChange)


def _update_all(t: sa.Table) -> Any:
    """Every stored field of a row at once (the service computes the new row); the row
    is `row_id` (a parameter may not share a column's name in an UPDATE)."""
    values = {c.name: sa.bindparam(c.name, type_=c.type) for c in t.columns if c.name != "id"}
    return sa.update(t).where(t.c.id == param("row_id", "int")).values(**values)


# ---------------------------------------------------------------- goals

GOAL_COLUMNS = [
    GOAL.c.id,
    GOAL.c.title,
    GOAL.c.description,
    GOAL.c.due_date,
    GOAL.c.position,
    GOAL.c.created_at,
    GOAL.c.archived_at,
]


@statement
def goals_all() -> Any:
    """Every goal (archived ones too), in order."""
    return sa.select(*GOAL_COLUMNS).order_by(GOAL.c.position, GOAL.c.id)


@statement
def goal_row() -> Any:
    """The stored fields of one goal."""
    return sa.select(*GOAL.columns).where(GOAL.c.id == param("id", "int"))


@statement
def goal_max_position() -> Any:
    """The highest position a goal holds (0 when there are none)."""
    return sa.select(sa.func.coalesce(sa.func.max(GOAL.c.position), 0))


@statement
def goal_insert() -> Any:
    """A new goal."""
    return insert_all(Goal)


@statement
def goal_update() -> Any:
    """Every stored field of a goal."""
    return _update_all(GOAL)


# ---------------------------------------------------------------- key results

KR_COLUMNS = [
    KR.c.id,
    KR.c.goal_id,
    KR.c.title,
    KR.c.unit,
    KR.c.baseline,
    KR.c.target,
    KR.c.due_date,
    KR.c.position,
    KR.c.created_at,
    KR.c.archived_at,
]


@statement
def key_results_all() -> Any:
    """Every key result (archived ones too), by goal and position."""
    return sa.select(*KR_COLUMNS).order_by(KR.c.goal_id, KR.c.position, KR.c.id)


@statement
def key_result_row() -> Any:
    """The stored fields of one key result."""
    return sa.select(*KR.columns).where(KR.c.id == param("id", "int"))


@statement
def key_result_max_position() -> Any:
    """The highest position among a goal's key results (0 when it has none)."""
    return sa.select(sa.func.coalesce(sa.func.max(KR.c.position), 0)).where(
        KR.c.goal_id == param("goal_id", "int")
    )


@statement
def key_result_insert() -> Any:
    """A new key result."""
    return insert_all(KeyResult)


@statement
def key_result_update() -> Any:
    """Every stored field of a key result."""
    return _update_all(KR)


@statement
def key_result_values_all() -> Any:
    """Every measured value, by key result, day and the order they were recorded in."""
    return sa.select(
        KRV.c.id, KRV.c.key_result_id, KRV.c.value, KRV.c.recorded_on, KRV.c.created_at
    ).order_by(KRV.c.key_result_id, KRV.c.recorded_on, KRV.c.id)


@statement
def key_result_value_insert() -> Any:
    """A measured value."""
    return insert_all(KeyResultValue)


@statement
def key_result_value_delete() -> Any:
    """Forget one measured value (undo)."""
    return sa.delete(KRV).where(KRV.c.id == param("id", "int"))


# ---------------------------------------------------------------- documents

DOC_COLUMNS = [
    DOC.c.id,
    DOC.c.kind,
    DOC.c.item_id,
    DOC.c.body,
    DOC.c.sections_filled,
    DOC.c.sections_total,
    DOC.c.saved_at,
]


def _document(kind: Any, item_id: Any) -> Any:
    """The versions of one document: the vision (no item) or an epic's PRD."""
    return sa.and_(
        DOC.c.kind == kind,
        sa.or_(
            sa.and_(item_id.is_(None), DOC.c.item_id.is_(None)),
            DOC.c.item_id == item_id,
        ),
    )


@statement
def document_latest() -> Any:
    """The newest versions of a document (kind, item_id: null for the vision), newest
    first, at most `limit` (1: the current text; 2: it and the one before)."""
    where = _document(param("kind", "str"), param("item_id", "int"))
    return (
        sa.select(*DOC_COLUMNS).where(where).order_by(DOC.c.id.desc()).limit(param("limit", "int"))
    )


@statement
def document_history() -> Any:
    """Every version of a document without its text, oldest first: id, when, sections
    written and in all, and its length in characters."""
    where = _document(param("kind", "str"), param("item_id", "int"))
    return (
        sa.select(
            DOC.c.id,
            DOC.c.saved_at,
            DOC.c.sections_filled,
            DOC.c.sections_total,
            sa.func.length(DOC.c.body).label("length"),
        )
        .where(where)
        .order_by(DOC.c.id)
    )


@statement
def document_version_body() -> Any:
    """The text of one version."""
    return sa.select(DOC.c.body).where(DOC.c.id == param("id", "int"))


@statement
def document_insert() -> Any:
    """A new version of a document."""
    return insert_all(DocumentVersion)


@statement
def prd_statuses() -> Any:
    """Per epic with a PRD: the sections its current version has written, of how many."""
    newest = (
        sa.select(sa.func.max(DOC.c.id))
        .where(DOC.c.kind == "prd")
        .group_by(DOC.c.item_id)
        .scalar_subquery()
    )
    return (
        sa.select(DOC.c.item_id, DOC.c.sections_filled, DOC.c.sections_total)
        .where(DOC.c.id.in_(newest))
        .order_by(DOC.c.item_id)
    )


# ---------------------------------------------------------------- date changes


@statement
def date_change_insert() -> Any:
    """Record that an item's start or target date changed."""
    return insert_all(DateChange)


@statement
def date_changes_between() -> Any:
    """The date changes made in [start, end), in order, with the item's kind and title."""
    return (
        sa.select(
            DC.c.id,
            DC.c.item_id,
            I.c.kind,
            I.c.title,
            DC.c.field,
            DC.c.old_date,
            DC.c.new_date,
            DC.c.changed_at,
        )
        .select_from(DC.join(I, I.c.id == DC.c.item_id))
        .where(
            DC.c.changed_at >= param("start", "datetime"),
            DC.c.changed_at < param("end", "datetime"),
        )
        .order_by(DC.c.changed_at, DC.c.id)
    )


# ---------------------------------------------------------------- the status report


@statement
def done_items_described() -> Any:
    """Of the items `ids`, those still in a done column and not archived: id, kind,
    title, points, epic id and title (the status report's "done this week"; the week's
    arrivals in done come from the item history)."""
    return (
        sa.select(
            I.c.id,
            I.c.kind,
            I.c.title,
            I.c.points,
            EPIC_ID.label("epic_id"),
            _epic_of(P.c.title, G.c.title, sa.String()).label("epic_title"),
        )
        .select_from(ITEMS_FROM)
        .where(
            I.c.id.in_(param("ids", "list:int")),
            C.c.is_done,
            I.c.archived_at.is_(None),
        )
        .order_by(I.c.id)
    )


@statement
def roadmap_items() -> Any:
    """Epics and features (not archived) in board order: id, kind, parent id, start
    and target date, title, and whether their column counts as done (the status
    report's roadmap; its order and progress come from services/progress.py)."""
    return (
        sa.select(
            I.c.id, I.c.kind, I.c.parent_id, I.c.start_date, I.c.target_date, I.c.title, C.c.is_done
        )
        .select_from(I.join(C, C.c.key == I.c.status))
        .where(I.c.kind.in_(("epic", "feature")), I.c.archived_at.is_(None))
        .order_by(C.c.position, I.c.rank, I.c.id)
    )


@statement
def wip_limited_columns() -> Any:
    """The board columns with a WIP limit, in order: name, limit, and how many stories,
    bugs and debt (not archived) each holds (counted per column through the status
    index, not over every item)."""
    held = (
        sa.select(sa.func.count())
        .select_from(I)
        .where(I.c.status == C.c.key, I.c.kind.in_(LEAF_KINDS), I.c.archived_at.is_(None))
        .scalar_subquery()
    )
    return (
        sa.select(C.c.name, C.c.wip_limit, held)
        .where(C.c.wip_limit.is_not(None))
        .order_by(C.c.position)
    )


@statement
def blocked_open_items() -> Any:
    """Open items (not done, not archived) waiting for an open item: the item's id,
    kind and title, then the blocker's id, title and column name."""
    blocker = I.alias("blocker")
    own_column = C.alias("own_column")
    blocker_column = C.alias("blocker_column")
    return (
        sa.select(
            I.c.id,
            I.c.kind,
            I.c.title,
            blocker.c.id.label("blocker_id"),
            blocker.c.title.label("blocker_title"),
            blocker_column.c.name.label("blocker_column"),
        )
        .select_from(
            D.join(I, I.c.id == D.c.item_id)
            .join(own_column, own_column.c.key == I.c.status)
            .join(blocker, blocker.c.id == D.c.blocked_by_id)
            .join(blocker_column, blocker_column.c.key == blocker.c.status)
        )
        .where(
            sa.not_(own_column.c.is_done),
            sa.not_(blocker_column.c.is_done),
            I.c.archived_at.is_(None),
            blocker.c.archived_at.is_(None),
        )
        .order_by(I.c.id, blocker.c.id)
    )


@statement
def stale_started_items() -> Any:
    """Stories, bugs and debt (not archived) in the columns `columns` (the started ones),
    unchanged since before `before`: id, kind, title, owner, column key, last change. In
    no order: the report sorts them (SQLite's sorter took longer than Python's for
    thousands of rows)."""
    return sa.select(I.c.id, I.c.kind, I.c.title, I.c.owner, I.c.status, I.c.updated_at).where(
        I.c.status.in_(param("columns", "list:str")),
        I.c.kind.in_(LEAF_KINDS),
        I.c.archived_at.is_(None),
        I.c.updated_at < param("before", "datetime"),
    )
