"""Every SQL statement the services run, written once with SQLAlchemy over the models.
Each is registered by name; `generate.py` compiles them into compiled.py for the
standard-library executor, and the SQLAlchemy executor runs these objects directly.
Parameters are named bind parameters typed by `param()`, so both executors convert
values the same way."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import UTCDateTime

from tpm_tui.models import (
    BoardColumn,
    Dependency,
    Milestone,
    Setting,
    Sprint,
    TimeEntry,
    WorkItem,
)
from tpm_tui.sql.dialect import all_words_match, whole_seconds

Builder = Callable[[], Any]
REGISTRY: dict[str, Builder] = {}

KIND_TYPES: dict[str, Callable[[], Any]] = {
    "int": sa.Integer,
    "str": sa.String,
    "bool": sa.Boolean,
    "float": sa.Float,
    "date": sa.Date,
    "datetime": UTCDateTime,
}


def statement(builder: Builder) -> Builder:
    """Register a statement under its function's name."""
    if builder.__name__ in REGISTRY:
        raise ValueError(f"two statements are named {builder.__name__}")
    REGISTRY[builder.__name__] = builder
    return builder


@cache
def built(name: str) -> Any:
    """The SQLAlchemy statement of that name (built once)."""
    return REGISTRY[name]()


def param(name: str, kind: str) -> sa.BindParameter[Any]:
    """A named parameter of a kind (see KIND_TYPES); `list:<kind>` for an IN list."""
    if kind.startswith("list:"):
        return sa.bindparam(name, type_=KIND_TYPES[kind[5:]](), expanding=True)
    return sa.bindparam(name, type_=KIND_TYPES[kind]())


def table(model: Any) -> sa.Table:
    """The table behind a SQLModel class."""
    return model.__table__  # type: ignore[no-any-return]


def insert_all(model: Any, *, returning: str | None = "id", keep_id: bool = False) -> Any:
    """INSERT naming every column as a parameter of the same name (no hidden defaults:
    the service passes every value), RETURNING the id. The id itself is left to the
    database unless `keep_id`."""
    t = table(model)
    values = {
        c.name: sa.bindparam(c.name, type_=c.type)
        for c in t.columns
        if keep_id or not (c.primary_key and c.name == "id")
    }
    query = sa.insert(t).values(**values)
    return query.returning(t.c[returning]) if returning else query


E = table(TimeEntry)
I = table(WorkItem)  # noqa: E741
C = table(BoardColumn)
S = table(Sprint)
M = table(Milestone)
D = table(Dependency)
SETTING = table(Setting)
LEAF_KINDS = ("story", "bug", "debt")


# ---------------------------------------------------------------- board columns


@statement
def columns_all() -> Any:
    """The board's columns in order."""
    return sa.select(C.c.key, C.c.name, C.c.position, C.c.wip_limit, C.c.is_done).order_by(
        C.c.position
    )


# ---------------------------------------------------------------- work items

P = I.alias("parent_item")
G = I.alias("grand_item")


def _epic_of(then_parent: Any, then_grand: Any, type_: Any) -> Any:
    """For an item, a column of its epic: its parent's or its grandparent's."""
    return sa.type_coerce(
        sa.case(
            (I.c.kind == "epic", sa.null()),
            (P.c.kind == "epic", then_parent),
            (G.c.kind == "epic", then_grand),
            else_=sa.null(),
        ),
        type_,
    )


EPIC_ID = _epic_of(P.c.id, G.c.id, sa.Integer())
ITEM_COLUMNS = [
    I.c.id,
    I.c.kind,
    I.c.title,
    I.c.status,
    I.c.rank,
    I.c.points,
    I.c.parent_id,
    I.c.sprint_id,
    S.c.name.label("sprint_name"),
    I.c.owner,
    I.c.start_date,
    I.c.target_date,
    I.c.description,
    I.c.acceptance,
    I.c.goal_id,
    EPIC_ID.label("epic_id"),
    _epic_of(P.c.title, G.c.title, sa.String()).label("epic_title"),
    I.c.created_at,
    I.c.updated_at,
    I.c.done_at,
    I.c.archived_at,
    I.c.source,
    I.c.source_key,
]
ITEMS_FROM = (
    I.outerjoin(P, P.c.id == I.c.parent_id)
    .outerjoin(G, G.c.id == P.c.parent_id)
    .outerjoin(S, S.c.id == I.c.sprint_id)
    .join(C, C.c.key == I.c.status)
)


@statement
def item_by_id() -> Any:
    """One item (archived or not) with its sprint's name and its epic."""
    return sa.select(*ITEM_COLUMNS).select_from(ITEMS_FROM).where(I.c.id == param("id", "int"))


def _optional(name: str, kind: str, test: Callable[[Any], Any]) -> Any:
    """A clause that holds when the parameter is null, else `test(parameter)`."""
    value = param(name, kind)
    return sa.or_(value.is_(None), test(value))


@statement
def items_list() -> Any:
    """Items in board order, narrowed by optional parameters (null = no narrowing):
    status, kinds (a list, always given), archived (active/archived/both), parent_id,
    and the filter language: words (JSON list of LIKE patterns), epic_id, feature_id,
    sprint_mode (any/none/current/name) with sprint_name and today, owner (lower
    case), points_op (none/=/</>/<=/>=) with points, source_key (lower case: the
    key an imported item had in its tool, `PAY-142`)."""
    points = param("points", "int")
    op = param("points_op", "str")
    sprint_mode = param("sprint_mode", "str")
    today = param("today", "date")
    return (
        sa.select(*ITEM_COLUMNS)
        .select_from(ITEMS_FROM)
        .where(
            _optional("status", "str", lambda v: I.c.status == v),
            I.c.kind.in_(param("kinds", "list:str")),
            sa.or_(
                sa.and_(param("active", "bool"), I.c.archived_at.is_(None)),
                sa.and_(param("archived", "bool"), I.c.archived_at.is_not(None)),
            ),
            _optional("parent_id", "int", lambda v: I.c.parent_id == v),
            _optional(
                "words",
                "str",
                lambda v: all_words_match(v, I.c.title, I.c.description),
            ),
            _optional("epic_id", "int", lambda v: sa.or_(v == EPIC_ID, I.c.id == v)),
            _optional("feature_id", "int", lambda v: sa.or_(I.c.parent_id == v, I.c.id == v)),
            sa.or_(
                sprint_mode == "any",
                sa.and_(sprint_mode == "none", I.c.sprint_id.is_(None)),
                sa.and_(
                    sprint_mode == "current",
                    S.c.start_date <= today,
                    S.c.end_date >= today,
                    S.c.closed_at.is_(None),
                ),
                sa.and_(
                    sprint_mode == "name", sa.func.lower(S.c.name) == param("sprint_name", "str")
                ),
            ),
            _optional("owner", "str", lambda v: sa.func.lower(I.c.owner) == v),
            _optional("source_key", "str", lambda v: sa.func.lower(I.c.source_key) == v),
            sa.or_(
                op.is_(None),
                sa.and_(op == "none", I.c.points.is_(None)),
                sa.and_(op == "=", I.c.points == points),
                sa.and_(op == "<", I.c.points < points),
                sa.and_(op == ">", I.c.points > points),
                sa.and_(op == "<=", I.c.points <= points),
                sa.and_(op == ">=", I.c.points >= points),
            ),
        )
        .order_by(C.c.position, I.c.rank, I.c.id)
    )


@statement
def items_count_active_of_kinds() -> Any:
    """How many items of some kinds are on the board (not archived)."""
    return (
        sa.select(sa.func.count())
        .select_from(I)
        .where(I.c.kind.in_(param("kinds", "list:str")), I.c.archived_at.is_(None))
    )


def _leaf_sums(name: str, *where: Any) -> Any:
    """Points and count of the stories, bugs and debt (not archived, with a parent) that
    match `where`, per direct parent."""
    leaf = I.alias("leaf")
    return (
        sa.select(
            leaf.c.parent_id.label("parent_id"),
            sa.func.sum(sa.func.coalesce(leaf.c.points, 0)).label("points"),
            sa.func.count().label("n"),
        )
        .where(
            # The leaf kinds, said as "not epic or feature" (the kind's check constraint
            # allows nothing else): SQLite then walks the parent index in order instead
            # of sorting every item for the GROUP BY.
            leaf.c.kind.not_in(("epic", "feature")),
            leaf.c.archived_at.is_(None),
            leaf.c.parent_id.is_not(None),
            *(w(leaf) for w in where),
        )
        .group_by(leaf.c.parent_id)
        .subquery(name)
    )


@statement
def rollups_by_parent() -> Any:
    """Per epic, feature (or any item) with stories, bugs or debt (not archived) directly
    under it: their points, done points, count and done count, with what folding them
    into epics and goals needs of the parent and its own parent (the grandparent): its
    kind, whether it is archived, its goal. The services fold features into their epics
    (services/progress.py). All items are summed in one pass, the done ones in another
    through the column index (cheaper than looking up every item's column)."""
    parent, grand = I.alias("parent_item"), I.alias("grand_item")
    every = _leaf_sums("every_leaf")
    done_keys = sa.select(C.c.key).where(C.c.is_done)
    done = _leaf_sums("done_leaf", lambda leaf: leaf.c.status.in_(done_keys))
    return (
        sa.select(
            every.c.parent_id,
            parent.c.kind,
            parent.c.archived_at.is_not(None).label("archived"),
            parent.c.goal_id,
            parent.c.parent_id.label("grand_id"),
            grand.c.kind.label("grand_kind"),
            grand.c.archived_at.is_not(None).label("grand_archived"),
            grand.c.goal_id.label("grand_goal_id"),
            every.c.points.label("total"),
            sa.func.coalesce(done.c.points, 0).label("done"),
            every.c.n,
            sa.func.coalesce(done.c.n, 0).label("done_n"),
        )
        .select_from(
            every.join(parent, parent.c.id == every.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .outerjoin(done, done.c.parent_id == every.c.parent_id)
        )
        .order_by(every.c.parent_id)
    )


@statement
def parents_in_done_columns() -> Any:
    """Epics and features that sit in a done column themselves."""
    return (
        sa.select(I.c.id)
        .select_from(I.join(C, C.c.key == I.c.status))
        .where(I.c.kind.in_(("epic", "feature")), C.c.is_done)
    )


@statement
def item_row() -> Any:
    """The stored fields of one item, for a change."""
    return sa.select(*I.columns).where(I.c.id == param("id", "int"))


@statement
def item_child_kinds() -> Any:
    """The distinct kinds of an item's children."""
    return sa.select(I.c.kind).where(I.c.parent_id == param("id", "int")).distinct()


@statement
def item_max_rank() -> Any:
    """The highest rank in a column."""
    return sa.select(sa.func.max(I.c.rank)).where(I.c.status == param("status", "str"))


@statement
def item_insert() -> Any:
    """A new item (every column given)."""
    return insert_all(WorkItem)


@statement
def item_update() -> Any:
    """Every stored field of an item at once (the service computes the new row); the
    item is `row_id` (a parameter may not share a column's name in an UPDATE)."""
    values = {c.name: sa.bindparam(c.name, type_=c.type) for c in I.columns if c.name != "id"}
    return sa.update(I).where(I.c.id == param("row_id", "int")).values(**values)


@statement
def item_set_rank() -> Any:
    """One item's rank (its neighbours' when one is reordered)."""
    return sa.update(I).where(I.c.id == param("row_id", "int")).values(rank=param("rank", "int"))


@statement
def siblings_in_column() -> Any:
    """Ids and ranks of the active items of some kinds in a column, in order."""
    return (
        sa.select(I.c.id, I.c.rank)
        .where(
            I.c.status == param("status", "str"),
            I.c.kind.in_(param("kinds", "list:str")),
            I.c.archived_at.is_(None),
        )
        .order_by(I.c.rank, I.c.id)
    )


# ---------------------------------------------------------------- dependencies


@statement
def dependencies_all() -> Any:
    """Every (blocked item, blocker) pair, in order."""
    return sa.select(D.c.item_id, D.c.blocked_by_id).order_by(D.c.item_id, D.c.blocked_by_id)


@statement
def dependency_insert() -> Any:
    """Record that an item waits for another."""
    return insert_all(Dependency, returning=None)


@statement
def dependency_delete() -> Any:
    """Forget that an item waits for another."""
    return sa.delete(D).where(
        D.c.item_id == param("item_id", "int"), D.c.blocked_by_id == param("blocked_by_id", "int")
    )


# ---------------------------------------------------------------- sprints, milestones
# (goals: statements_goals.py)

SPRINT_COLUMNS = [
    S.c.id,
    S.c.name,
    S.c.start_date,
    S.c.end_date,
    S.c.goal,
    S.c.capacity,
    S.c.velocity,
    S.c.closed_at,
    S.c.retro,
]


@statement
def sprints_all() -> Any:
    """Every sprint, earliest first."""
    return sa.select(*SPRINT_COLUMNS).order_by(S.c.start_date, S.c.id)


@statement
def sprint_current() -> Any:
    """The sprint running on a day and not closed (the latest-starting if they overlap)."""
    today = param("today", "date")
    return (
        sa.select(*SPRINT_COLUMNS)
        .where(S.c.start_date <= today, S.c.end_date >= today, S.c.closed_at.is_(None))
        .order_by(S.c.start_date.desc())
        .limit(1)
    )


@statement
def sprint_of_week() -> Any:
    """The sprint that ran in a week up to a day (`first` to `day`), closed since or
    not, but not one closed before the week began (the latest-starting if several):
    what a week's report speaks of."""
    first = param("first", "date")
    return (
        sa.select(*SPRINT_COLUMNS)
        .where(
            S.c.start_date <= param("day", "date"),
            S.c.end_date >= first,
            sa.or_(S.c.closed_at.is_(None), S.c.closed_at >= param("first_start", "datetime")),
        )
        .order_by(S.c.start_date.desc(), S.c.id.desc())
        .limit(1)
    )


@statement
def sprint_exists() -> Any:
    """A sprint's id, if it exists."""
    return sa.select(S.c.id).where(S.c.id == param("id", "int"))


@statement
def sprint_id_by_name() -> Any:
    """A sprint's id by its name in any case."""
    return sa.select(S.c.id).where(sa.func.lower(S.c.name) == param("name", "str"))


@statement
def sprint_insert() -> Any:
    """A new sprint."""
    return insert_all(Sprint)


@statement
def sprint_points() -> Any:
    """Committed and done points of a sprint's stories, bugs and debt."""
    points = sa.func.coalesce(I.c.points, 0)
    return (
        sa.select(
            sa.func.coalesce(sa.func.sum(points), 0),
            sa.func.coalesce(sa.func.sum(sa.case((C.c.is_done, points), else_=0)), 0),
        )
        .select_from(I.join(C, C.c.key == I.c.status))
        .where(
            I.c.sprint_id == param("sprint_id", "int"),
            I.c.archived_at.is_(None),
            I.c.kind.in_(LEAF_KINDS),
        )
    )


@statement
def milestones_all() -> Any:
    """Every milestone, by date."""
    return sa.select(M.c.id, M.c.title, M.c.date).order_by(M.c.date, M.c.id)


@statement
def milestone_insert() -> Any:
    """A new milestone."""
    return insert_all(Milestone)


# ---------------------------------------------------------------- settings


@statement
def setting_get() -> Any:
    """A stored setting's value."""
    return sa.select(SETTING.c.value).where(SETTING.c.key == param("key", "str"))


@statement
def setting_delete() -> Any:
    """Forget a setting (before storing it anew)."""
    return sa.delete(SETTING).where(SETTING.c.key == param("key", "str"))


@statement
def setting_insert() -> Any:
    """Store a setting."""
    return insert_all(Setting, returning=None)


# ---------------------------------------------------------------- time entries


def _entry_seconds(now: Any) -> Any:
    """An entry's whole seconds; a running timer's up to `now`, and 0 while `now` is
    before its start (a clock set back): the one place a running time is computed."""
    end = sa.case(
        (E.c.ended_at.is_not(None), E.c.ended_at),
        (now > E.c.started_at, now),
        else_=E.c.started_at,
    )
    return whole_seconds(end, E.c.started_at)


def _entry_columns(now: Any) -> list[Any]:
    return [
        E.c.id,
        E.c.category,
        E.c.started_at,
        E.c.ended_at,
        _entry_seconds(now).label("seconds"),
        E.c.note,
        E.c.item_id,
        I.c.title,
    ]


def whose() -> Any:
    """The entries of the person `whose` (a team database holds everyone's hours; null:
    everyone's, as on a SQLite workspace, which is one person's whatever names its
    entries carry — imported from a server — and for the team's report)."""
    whose = param("whose", "str")
    return sa.or_(whose.is_(None), E.c.person == whose)


def _entries(where: Any, order: Any = None) -> sa.Select[Any]:
    now = param("now", "datetime")
    return (
        sa.select(*_entry_columns(now))
        .select_from(E.outerjoin(I, I.c.id == E.c.item_id))
        .where(where, whose())
        .order_by(order if order is not None else E.c.started_at)
    )


@statement
def entry_by_id() -> Any:
    """One entry with its item's title."""
    return _entries(E.c.id == param("id", "int"))


@statement
def entry_running() -> Any:
    """The running timer, if any."""
    return _entries(E.c.ended_at.is_(None))


@statement
def entries_between() -> Any:
    """Entries starting in [start, end), in order."""
    return _entries(
        sa.and_(
            E.c.started_at >= param("start", "datetime"), E.c.started_at < param("end", "datetime")
        )
    )


@statement
def seconds_by_category_between() -> Any:
    """Seconds per category of the entries starting in [start, end); a running timer
    counts up to now."""
    now = param("now", "datetime")
    return (
        sa.select(
            E.c.category,
            sa.func.sum(_entry_seconds(now)),
        )
        .where(
            E.c.started_at >= param("start", "datetime"),
            E.c.started_at < param("end", "datetime"),
            whose(),
        )
        .group_by(E.c.category)
    )


@statement
def seconds_by_person_category_between() -> Any:
    """Seconds per person and category of everyone's entries starting in [start, end)
    (the team's split); a running timer counts up to now."""
    now = param("now", "datetime")
    return (
        sa.select(
            E.c.person,
            E.c.category,
            sa.func.sum(whole_seconds(sa.func.coalesce(E.c.ended_at, now), E.c.started_at)),
        )
        .where(
            E.c.started_at >= param("start", "datetime"), E.c.started_at < param("end", "datetime")
        )
        .group_by(E.c.person, E.c.category)
        .order_by(E.c.person, E.c.category)
    )


@statement
def entry_insert() -> Any:
    """A new entry."""
    return insert_all(TimeEntry)


@statement
def entries_overlapping() -> Any:
    """Entries sharing some time with [start, end) (a running timer runs to now), but
    the entry `but` (null: none left out)."""
    now = param("now", "datetime")
    but = param("but", "int")
    return _entries(
        sa.and_(
            E.c.started_at < param("end", "datetime"),
            sa.func.coalesce(E.c.ended_at, now) > param("start", "datetime"),
            sa.or_(but.is_(None), E.c.id != but),
        )
    )


@statement
def entries_recent() -> Any:
    """The latest entries, newest first, at most `limit`."""
    return _entries(sa.true(), E.c.started_at.desc()).limit(param("limit", "int"))


@statement
def entries_last_end_on_day() -> Any:
    """The latest end of the finished entries starting in [start, end), up to `until`
    (null: any)."""
    until = param("until", "datetime")
    return sa.select(sa.func.max(E.c.ended_at)).where(
        E.c.started_at >= param("start", "datetime"),
        E.c.started_at < param("end", "datetime"),
        E.c.ended_at.is_not(None),
        sa.or_(until.is_(None), E.c.ended_at <= until),
        whose(),
    )


@statement
def entry_row() -> Any:
    """The stored fields of one entry (the person's own)."""
    return sa.select(*E.columns).where(E.c.id == param("id", "int"), whose())


@statement
def entry_row_running() -> Any:
    """The stored fields of the person's running timer, if any."""
    return sa.select(*E.columns).where(E.c.ended_at.is_(None), whose())


@statement
def entries_insert() -> Any:
    """Many new entries at once (no ids returned)."""
    return insert_all(TimeEntry, returning=None)


@statement
def entry_insert_with_id() -> Any:
    """An entry put back under the id it had."""
    return insert_all(TimeEntry, returning=None, keep_id=True)


@statement
def entry_update() -> Any:
    """Every stored field of an entry at once (the person's own)."""
    values = {c.name: sa.bindparam(c.name, type_=c.type) for c in E.columns if c.name != "id"}
    return sa.update(E).where(E.c.id == param("row_id", "int"), whose()).values(**values)


@statement
def entry_delete() -> Any:
    """Delete one entry (the person's own)."""
    return sa.delete(E).where(E.c.id == param("id", "int"), whose())


@statement
def item_title() -> Any:
    """An item's title (any item, archived too)."""
    return sa.select(I.c.title).where(I.c.id == param("id", "int"))


# ---------------------------------------------------------------- reports


def _bucketed_seconds(bounds: int) -> Any:
    """Seconds per (bucket, category) of the entries starting in [b0, b{bounds-1}),
    bucket i holding those before b{i+1}: days of a week (local midnights as UTC
    parameters, so it is DST-safe) or weeks. A running timer counts up to now."""
    now = param("now", "datetime")
    edges = [param(f"b{i}", "datetime") for i in range(bounds)]
    bucket = sa.case(
        *[(E.c.started_at < edges[i + 1], i) for i in range(bounds - 1)], else_=bounds - 1
    )
    spans = (
        sa.select(
            bucket.label("bucket"),
            E.c.category.label("category"),
            _entry_seconds(now).label("seconds"),
        )
        .where(E.c.started_at >= edges[0], E.c.started_at < edges[-1], whose())
        .subquery("spans")
    )
    return sa.select(spans.c.bucket, spans.c.category, sa.func.sum(spans.c.seconds)).group_by(
        spans.c.bucket, spans.c.category
    )


@statement
def week_seconds_by_day() -> Any:
    """Seconds per day (0 = Monday) and category of a week (b0..b7: local midnights)."""
    return _bucketed_seconds(8)


@statement
def seconds_by_week_of_four() -> Any:
    """Seconds per week (0 = the earliest) and category of four weeks (b0..b4)."""
    return _bucketed_seconds(5)


@statement
def top_items_between() -> Any:
    """The work items that took the most time among entries starting in [start, end):
    id, title, kind, seconds; at most `limit`."""
    now = param("now", "datetime")
    seconds = sa.func.sum(_entry_seconds(now))
    return (
        sa.select(I.c.id, I.c.title, I.c.kind, seconds.label("seconds"))
        .select_from(E.join(I, I.c.id == E.c.item_id))
        .where(
            E.c.started_at >= param("start", "datetime"),
            E.c.started_at < param("end", "datetime"),
            whose(),
        )
        .group_by(I.c.id, I.c.title, I.c.kind)
        .order_by(sa.desc("seconds"), I.c.id)
        .limit(param("limit", "int"))
    )


# Statements of other topics, each in a module of its own (registered on import).
from tpm_tui.sql import (  # noqa: E402, F401
    statements_goals,
    statements_imports,
    statements_sprints,
)
