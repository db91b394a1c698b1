"""Statements of sprints and their ceremonies: the item history (item_event), sprint
rows, the team and its days away, and board columns as settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tpm_tui.models import BoardColumn, ItemEvent, TeamAway, TeamMember
from tpm_tui.sql.statements import (
    ITEM_COLUMNS,
    ITEMS_FROM,
    LEAF_KINDS,
    SPRINT_COLUMNS,
    C,
    I,
    S,
    insert_all,
    param,
    statement,
    table,
)

EV = table(ItemEvent)
TM = table(TeamMember)
TA = table(TeamAway)


# ---------------------------------------------------------------- item history


@statement
def event_insert() -> Any:
    """One change of an item, with its state after it."""
    return insert_all(ItemEvent)


def _per_item(*values: Any) -> dict[str, Any]:
    """The window of one item's events, oldest first."""
    return {"partition_by": EV.c.item_id, "order_by": (EV.c.at, EV.c.id), **dict(values)}


def _lag(value: Any) -> Any:
    """The value at the item's event before (0 before its first)."""
    return sa.type_coerce(
        sa.func.lag(value, sa.literal_column("1"), sa.literal_column("0")).over(**_per_item()),
        sa.Integer(),
    )


@statement
def sprint_scope_changes() -> Any:
    """Every change of a sprint's scope and remaining points, oldest first: item, time,
    scope delta, remaining delta. Scope is the points of the stories, bugs and debt in
    the sprint (not archived); remaining, those of them not done. Each event is
    compared with the item's event before it, so the deltas add up to the state at any
    moment."""
    sprint_id = param("sprint_id", "int")
    member = sa.and_(EV.c.sprint_id == sprint_id, sa.not_(EV.c.archived))
    points = sa.func.coalesce(EV.c.points, 0)
    scope = sa.case((member, points), else_=0)
    remaining = sa.case((sa.and_(member, sa.not_(EV.c.done)), points), else_=0)
    ever = sa.select(EV.c.item_id).where(EV.c.sprint_id == sprint_id).distinct()
    steps = (
        sa.select(
            EV.c.item_id,
            EV.c.at,
            EV.c.id.label("event_id"),
            scope.label("scope"),
            _lag(scope).label("scope_before"),
            remaining.label("remaining"),
            _lag(remaining).label("remaining_before"),
        )
        .select_from(EV.join(I, I.c.id == EV.c.item_id))
        .where(EV.c.item_id.in_(ever), I.c.kind.in_(LEAF_KINDS))
        .subquery("steps")
    )
    return (
        sa.select(
            steps.c.item_id,
            steps.c.at,
            (steps.c.scope - steps.c.scope_before).label("scope_delta"),
            (steps.c.remaining - steps.c.remaining_before).label("remaining_delta"),
        )
        .where(
            sa.or_(
                steps.c.scope != steps.c.scope_before,
                steps.c.remaining != steps.c.remaining_before,
            )
        )
        .order_by(steps.c.at, steps.c.event_id)
    )


@statement
def items_done_between() -> Any:
    """Items that came into a done column in [start, end): id and when."""
    start, end = param("start", "datetime"), param("end", "datetime")
    done = sa.case((EV.c.done, 1), else_=0)
    touched = sa.select(EV.c.item_id).where(EV.c.at >= start, EV.c.at < end).distinct()
    steps = (
        sa.select(
            EV.c.item_id,
            EV.c.at,
            EV.c.id.label("event_id"),
            done.label("done"),
            _lag(done).label("done_before"),
        )
        .where(EV.c.item_id.in_(touched))
        .subquery("steps")
    )
    return (
        sa.select(steps.c.item_id, steps.c.at)
        .where(
            steps.c.done == 1,
            steps.c.done_before == 0,
            steps.c.at >= start,
            steps.c.at < end,
        )
        .order_by(steps.c.at, steps.c.event_id)
    )


@statement
def items_last_change() -> Any:
    """The time of each item's latest change, for some items."""
    return (
        sa.select(EV.c.item_id, sa.func.max(EV.c.at))
        .where(EV.c.item_id.in_(param("ids", "list:int")))
        .group_by(EV.c.item_id)
    )


@statement
def items_state_before() -> Any:
    """Each item's state just before a moment (its latest event before it): item, time
    of that change, column, archived. Items made after the moment have no row."""
    ranked = (
        sa.select(
            EV.c.item_id,
            EV.c.at,
            EV.c.status,
            EV.c.archived,
            sa.func.row_number()
            .over(partition_by=EV.c.item_id, order_by=(EV.c.at.desc(), EV.c.id.desc()))
            .label("newest"),
        )
        .where(EV.c.at < param("until", "datetime"))
        .subquery("ranked")
    )
    return sa.select(ranked.c.item_id, ranked.c.at, ranked.c.status, ranked.c.archived).where(
        ranked.c.newest == 1
    )


@statement
def item_events() -> Any:
    """An item's history, oldest first."""
    return (
        sa.select(
            EV.c.at, EV.c.change, EV.c.status, EV.c.done, EV.c.points, EV.c.sprint_id, EV.c.archived
        )
        .where(EV.c.item_id == param("id", "int"))
        .order_by(EV.c.at, EV.c.id)
    )


def _backfill(change: str, at: Any, done: Any, archived: Any, where: Any) -> Any:
    """History told by the items' own rows, for a workspace that has none (an export
    made before the history existed): the same story the migration to it tells."""
    rows = (
        sa.select(
            I.c.id,
            at,
            sa.literal(change, sa.String()),
            I.c.status,
            done,
            I.c.points,
            I.c.sprint_id,
            archived,
        )
        .select_from(I.join(C, C.c.key == I.c.status))
        .where(where)
        .order_by(I.c.id)
    )
    names = ["item_id", "at", "change", "status", "done", "points", "sprint_id", "archived"]
    return sa.insert(EV).from_select(names, rows)


@statement
def events_backfill_created() -> Any:
    """Each item created at its creation time (done from then on if it sits in a done
    column without a done time)."""
    done = sa.and_(C.c.is_done, I.c.done_at.is_(None))
    return _backfill("created", I.c.created_at, done, sa.false(), sa.true())


@statement
def events_backfill_done() -> Any:
    """Each item with a done time, done then."""
    return _backfill("status", I.c.done_at, sa.true(), sa.false(), I.c.done_at.is_not(None))


@statement
def events_backfill_archived() -> Any:
    """Each archived item, archived at its archive time."""
    done = sa.or_(I.c.done_at.is_not(None), C.c.is_done)
    return _backfill("archived", I.c.archived_at, done, sa.true(), I.c.archived_at.is_not(None))


# ---------------------------------------------------------------- sprints


@statement
def sprint_row() -> Any:
    """One sprint, every column."""
    return sa.select(*SPRINT_COLUMNS).where(S.c.id == param("id", "int"))


@statement
def sprints_overlapping() -> Any:
    """Sprints sharing a day with [start, end], but the sprint `but` (null: none)."""
    but = param("but", "int")
    return (
        sa.select(*SPRINT_COLUMNS)
        .where(
            S.c.start_date <= param("end", "date"),
            S.c.end_date >= param("start", "date"),
            sa.or_(but.is_(None), S.c.id != but),
        )
        .order_by(S.c.start_date, S.c.id)
    )


@statement
def sprint_update() -> Any:
    """Every stored field of a sprint at once (the service computes the new row)."""
    values = {c.name: sa.bindparam(c.name, type_=c.type) for c in S.columns if c.name != "id"}
    return sa.update(S).where(S.c.id == param("row_id", "int")).values(**values)


@statement
def sprint_items() -> Any:
    """The stories, bugs and debt of a sprint (not archived), in board order."""
    return (
        sa.select(*ITEM_COLUMNS)
        .select_from(ITEMS_FROM)
        .where(
            I.c.sprint_id == param("sprint_id", "int"),
            I.c.kind.in_(LEAF_KINDS),
            I.c.archived_at.is_(None),
        )
        .order_by(C.c.position, I.c.rank, I.c.id)
    )


def _candidates() -> Any:
    """Stories, bugs and debt in no sprint (or in a closed one), not done, not archived,
    in board order: what a sprint can take."""
    return (
        sa.select(*ITEM_COLUMNS)
        .select_from(ITEMS_FROM)
        .where(
            sa.or_(I.c.sprint_id.is_(None), S.c.closed_at.is_not(None)),
            I.c.kind.in_(LEAF_KINDS),
            I.c.archived_at.is_(None),
            sa.not_(C.c.is_done),
        )
        .order_by(C.c.position, I.c.rank, I.c.id)
    )


@statement
def backlog_candidates() -> Any:
    """What a sprint can take: stories, bugs and debt in no sprint (or in a closed one),
    not done, not archived, in board order (the backlog's ranking)."""
    return _candidates()


@statement
def backlog_candidates_among() -> Any:
    """Those of some items (`ids`) a sprint can take, in board order (items just taken
    out of a sprint, to put in their place in a backlog read before)."""
    return _candidates().where(I.c.id.in_(param("ids", "list:int")))


# ---------------------------------------------------------------- the team


@statement
def members_all() -> Any:
    """The team, by name."""
    return sa.select(TM.c.id, TM.c.name, TM.c.focus_percent).order_by(TM.c.name, TM.c.id)


@statement
def member_insert() -> Any:
    """A new team member."""
    return insert_all(TeamMember)


@statement
def member_set_focus() -> Any:
    """A member's focus."""
    return (
        sa.update(TM)
        .where(TM.c.id == param("row_id", "int"))
        .values(focus_percent=param("focus_percent", "int"))
    )


@statement
def away_all() -> Any:
    """Every stretch of days away: member, first and last day."""
    return sa.select(TA.c.member_id, TA.c.start_date, TA.c.end_date).order_by(
        TA.c.member_id, TA.c.start_date, TA.c.id
    )


@statement
def away_insert() -> Any:
    """Days away of one member."""
    return insert_all(TeamAway)


@statement
def away_of_member() -> Any:
    """One member's stretches of days away: id, first and last day."""
    return (
        sa.select(TA.c.id, TA.c.start_date, TA.c.end_date)
        .where(TA.c.member_id == param("member_id", "int"))
        .order_by(TA.c.start_date, TA.c.id)
    )


@statement
def away_delete() -> Any:
    """One stretch of days away."""
    return sa.delete(TA).where(TA.c.id == param("id", "int"))


@statement
def away_delete_of_member() -> Any:
    """Every stretch of days away of one member."""
    return sa.delete(TA).where(TA.c.member_id == param("member_id", "int"))


@statement
def member_delete() -> Any:
    """A team member (their days away deleted first)."""
    return sa.delete(TM).where(TM.c.id == param("id", "int"))


# ---------------------------------------------------------------- board columns

COLUMN = table(BoardColumn)


@statement
def column_update() -> Any:
    """A column's name, place, WIP limit and done flag, by its key."""
    return (
        sa.update(COLUMN)
        .where(COLUMN.c.key == param("row_key", "str"))
        .values(
            name=param("name", "str"),
            position=param("position", "int"),
            wip_limit=param("wip_limit", "int"),
            is_done=param("is_done", "bool"),
        )
    )


@statement
def column_insert() -> Any:
    """A new column."""
    return insert_all(BoardColumn)


@statement
def column_delete() -> Any:
    """Remove a column (the service checks it is empty first)."""
    return sa.delete(COLUMN).where(COLUMN.c.key == param("key", "str"))


@statement
def column_item_count() -> Any:
    """How many items (archived ones too) sit in a column."""
    return sa.select(sa.func.count()).select_from(I).where(I.c.status == param("key", "str"))
