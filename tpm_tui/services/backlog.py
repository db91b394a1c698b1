"""The backlog: work items, their columns and order, parents, roll-ups and archive."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.kinds import parse_kind
from tpm_tui.models import BoardColumn, Kind, Sprint, WorkItem
from tpm_tui.services import validate
from tpm_tui.services.filters import ItemFilter

LEAF_KINDS = (Kind.STORY, Kind.BUG, Kind.DEBT)


@dataclass(frozen=True)
class ColumnView:
    """A board column as the UI and CLI see it."""

    key: str
    name: str
    position: int
    wip_limit: int | None
    is_done: bool


@dataclass(frozen=True)
class ItemView:
    """One work item with what it takes to show it (its sprint's name, its epic)."""

    id: int
    kind: Kind
    title: str
    status: str
    rank: int
    points: int | None
    parent_id: int | None
    sprint_id: int | None
    sprint: str | None
    owner: str
    start_date: date | None
    target_date: date | None
    description: str
    acceptance: str
    goal_id: int | None
    epic_id: int | None
    epic_title: str | None
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    archived_at: datetime | None

    @property
    def archived(self) -> bool:
        """Whether the item is archived (hidden from the board, restorable)."""
        return self.archived_at is not None


@dataclass(frozen=True)
class Rollup:
    """Points of the stories, bugs and debt under an epic or feature."""

    total_points: int
    done_points: int
    items: int
    done_items: int
    self_done: bool = False

    @property
    def done_percent(self) -> int:
        """Done share by points; by item count when nothing is estimated."""
        if self.total_points:
            return round(100 * self.done_points / self.total_points)
        if self.items:
            return round(100 * self.done_items / self.items)
        return 100 if self.self_done else 0


ITEM_FIELDS = (
    "kind",
    "title",
    "points",
    "parent_id",
    "status",
    "sprint_id",
    "owner",
    "start_date",
    "target_date",
    "description",
    "acceptance",
)
"""The fields a person edits (the item form, `tpm edit`)."""
EDITABLE = frozenset(ITEM_FIELDS) | {"goal_id"}


# ---------------------------------------------------------------- columns


def list_columns(db: Database) -> list[ColumnView]:
    """The board's columns, in order."""
    with db.read() as session:
        rows = session.execute(sa.select(BoardColumn).order_by(col(BoardColumn.position))).scalars()
        return [ColumnView(c.key, c.name, c.position, c.wip_limit, c.is_done) for c in rows]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _resolve_column(session: Session, text: str) -> BoardColumn:
    columns: list[BoardColumn] = list(
        session.execute(sa.select(BoardColumn).order_by(col(BoardColumn.position))).scalars()
    )
    wanted = _norm(text)
    for column in columns:
        if wanted in (_norm(column.key), _norm(column.name)):
            return column
    matches = [
        c
        for c in columns
        if wanted and (_norm(c.key).startswith(wanted) or _norm(c.name).startswith(wanted))
    ]
    if not matches:  # `prog` for In Progress
        matches = [
            c for c in columns if wanted and (wanted in _norm(c.key) or wanted in _norm(c.name))
        ]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(c.key for c in columns)
    raise NotFound(f"unknown column {text!r}: use one of {names}", "status")


# ---------------------------------------------------------------- reading


def _epic_of(parent_t: Any, grand_t: Any, then_parent: Any, then_grand: Any) -> Any:
    """SQL choosing, for an item, a column of its epic: its parent's or grandparent's."""
    return sa.case(
        (col(WorkItem.kind) == Kind.EPIC.value, None),
        (col(parent_t.kind) == Kind.EPIC.value, then_parent),
        (col(grand_t.kind) == Kind.EPIC.value, then_grand),
        else_=None,
    )


def _item_query(item_filter: ItemFilter | None = None, today: date | None = None) -> sa.Select[Any]:
    parent_t = aliased(WorkItem)
    grand_t = aliased(WorkItem)
    epic_id = _epic_of(parent_t, grand_t, col(parent_t.id), col(grand_t.id))
    epic_title = _epic_of(parent_t, grand_t, col(parent_t.title), col(grand_t.title))
    query = (
        sa.select(WorkItem, col(Sprint.name), epic_id, epic_title)
        .outerjoin(parent_t, col(parent_t.id) == col(WorkItem.parent_id))
        .outerjoin(grand_t, col(grand_t.id) == col(parent_t.parent_id))
        .outerjoin(Sprint, col(Sprint.id) == col(WorkItem.sprint_id))
        .join(BoardColumn, col(BoardColumn.key) == col(WorkItem.status))
    )
    if item_filter is not None:
        query = query.where(*_filter_clauses(item_filter, epic_id, today))
    return query


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_clauses(f: ItemFilter, epic_id: Any, today: date | None) -> list[Any]:
    clauses: list[Any] = []
    for word in f.words:
        pattern = _like(word)
        clauses.append(
            sa.or_(
                sa.func.lower(col(WorkItem.title)).like(pattern, escape="\\"),
                sa.func.lower(col(WorkItem.description)).like(pattern, escape="\\"),
            )
        )
    if f.kinds:
        clauses.append(col(WorkItem.kind).in_([k.value for k in f.kinds]))
    if f.epic_id is not None:
        clauses.append(sa.or_(epic_id == f.epic_id, col(WorkItem.id) == f.epic_id))
    if f.feature_id is not None:
        clauses.append(
            sa.or_(col(WorkItem.parent_id) == f.feature_id, col(WorkItem.id) == f.feature_id)
        )
    if f.sprint == "none":
        clauses.append(col(WorkItem.sprint_id).is_(None))
    elif f.sprint == "current":
        day = today or date.today()
        clauses.append(col(Sprint.start_date) <= day)
        clauses.append(col(Sprint.end_date) >= day)
    elif f.sprint is not None:
        clauses.append(sa.func.lower(col(Sprint.name)) == f.sprint.lower())
    if f.owner is not None:
        clauses.append(sa.func.lower(col(WorkItem.owner)) == f.owner)
    if f.points is not None:
        op, value = f.points
        points = col(WorkItem.points)
        clauses.append(
            {
                "none": points.is_(None),
                "=": points == value,
                "<": points < value,
                ">": points > value,
                "<=": points <= value,
                ">=": points >= value,
            }[op]
        )
    return clauses


def _view(
    item: WorkItem, sprint: str | None, epic_id: int | None, epic_title: str | None
) -> ItemView:
    assert item.id is not None
    return ItemView(
        id=item.id,
        kind=Kind(item.kind),
        title=item.title,
        status=item.status,
        rank=item.rank,
        points=item.points,
        parent_id=item.parent_id,
        sprint_id=item.sprint_id,
        sprint=sprint,
        owner=item.owner,
        start_date=item.start_date,
        target_date=item.target_date,
        description=item.description,
        acceptance=item.acceptance,
        goal_id=item.goal_id,
        epic_id=epic_id,
        epic_title=epic_title,
        created_at=item.created_at,
        updated_at=item.updated_at,
        done_at=item.done_at,
        archived_at=item.archived_at,
    )


def _fetch(session: Session, item_id: int) -> ItemView:
    row = session.execute(_item_query().where(col(WorkItem.id) == item_id)).first()
    if row is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "id")
    return _view(*row)


def get_item(db: Database, item_id: int) -> ItemView:
    """One item by id (archived ones included)."""
    with db.read() as session:
        return _fetch(session, item_id)


def list_items(
    db: Database,
    *,
    status: str | None = None,
    kinds: Iterable[Kind] | None = None,
    archived: bool | None = False,
    parent_id: int | None = None,
    item_filter: ItemFilter | None = None,
    today: date | None = None,
) -> list[ItemView]:
    """Items in board order (column, then rank). `archived`: False hides archived items,
    True shows only them, None shows both. `item_filter` narrows further (`today`
    decides which sprint is current)."""
    query = _item_query(item_filter, today)
    with db.read() as session:
        if status is not None:
            query = query.where(col(WorkItem.status) == _resolve_column(session, status).key)
        if kinds is not None:
            query = query.where(col(WorkItem.kind).in_([k.value for k in kinds]))
        if archived is False:
            query = query.where(col(WorkItem.archived_at).is_(None))
        elif archived is True:
            query = query.where(col(WorkItem.archived_at).is_not(None))
        if parent_id is not None:
            query = query.where(col(WorkItem.parent_id) == parent_id)
        query = query.order_by(col(BoardColumn.position), col(WorkItem.rank), col(WorkItem.id))
        return [_view(*row) for row in session.execute(query)]


def rollups(db: Database, ids: Sequence[int] | None = None) -> dict[int, Rollup]:
    """Points and done points of every epic's and feature's stories, bugs and debt,
    summed in SQL (archived items left out)."""
    leaf_t = aliased(WorkItem)
    parent_t = aliased(WorkItem)
    grand_t = aliased(WorkItem)
    is_done = sa.case((col(BoardColumn.is_done), 1), else_=0)
    pts = sa.func.coalesce(col(leaf_t.points), 0)
    feature_id = sa.case((col(parent_t.kind) == Kind.FEATURE.value, col(parent_t.id)), else_=None)
    epic_id = sa.case(
        (col(parent_t.kind) == Kind.EPIC.value, col(parent_t.id)),
        (col(parent_t.kind) == Kind.FEATURE.value, col(grand_t.id)),
        else_=None,
    )
    base = (
        sa.select()
        .select_from(leaf_t)
        .join(BoardColumn, col(BoardColumn.key) == col(leaf_t.status))
        .join(parent_t, col(parent_t.id) == col(leaf_t.parent_id))
        .outerjoin(grand_t, col(grand_t.id) == col(parent_t.parent_id))
        .where(
            col(leaf_t.kind).in_([k.value for k in LEAF_KINDS]), col(leaf_t.archived_at).is_(None)
        )
    )
    sums = (sa.func.sum(pts), sa.func.sum(pts * is_done), sa.func.count(), sa.func.sum(is_done))
    result: dict[int, Rollup] = {}
    with db.read() as session:
        for key in (feature_id, epic_id):
            query = (
                base.add_columns(key.label("owner_id"), *sums)
                .group_by(key)
                .having(key.is_not(None))
            )
            for owner_id, total, done, count, done_count in session.execute(query):
                result[int(owner_id)] = Rollup(
                    int(total or 0), int(done or 0), int(count), int(done_count or 0)
                )
        done_parents = session.execute(
            sa.select(col(WorkItem.id))
            .join(BoardColumn, col(BoardColumn.key) == col(WorkItem.status))
            .where(
                col(WorkItem.kind).in_([Kind.EPIC.value, Kind.FEATURE.value]),
                col(BoardColumn.is_done),
            )
        ).scalars()
        for item_id in done_parents:
            current = result.get(item_id, Rollup(0, 0, 0, 0))
            result[item_id] = Rollup(
                current.total_points, current.done_points, current.items, current.done_items, True
            )
    if ids is not None:
        wanted = set(ids)
        return {k: v for k, v in result.items() if k in wanted}
    return result


# ---------------------------------------------------------------- rules


def _check_parent(session: Session, kind: Kind, parent_id: int | None, item_id: int | None) -> None:
    if parent_id is None:
        return  # any item may stand alone until it finds its place in the tree
    if kind is Kind.EPIC:
        raise InvalidInput("an epic has no parent: epics are the top of the tree", "parent_id")
    if item_id is not None and parent_id == item_id:
        raise InvalidInput("an item cannot be its own parent", "parent_id")
    parent = session.get(WorkItem, parent_id)
    if parent is None:
        raise NotFound(
            f"no parent #{parent_id}: `tpm list --kind epic` shows the epics", "parent_id"
        )
    if parent.archived_at is not None:
        raise InvalidInput(
            f"parent #{parent_id} is archived: restore it or pick another", "parent_id"
        )
    parent_kind = Kind(parent.kind)
    if kind is Kind.FEATURE and parent_kind is not Kind.EPIC:
        raise InvalidInput(
            f"a feature's parent must be an epic; #{parent_id} is a {parent_kind.value}",
            "parent_id",
        )
    if kind in LEAF_KINDS and parent_kind not in (Kind.EPIC, Kind.FEATURE):
        raise InvalidInput(
            f"a {kind.value}'s parent must be a feature or an epic; #{parent_id} is a "
            f"{parent_kind.value}",
            "parent_id",
        )


def _check_children(session: Session, item_id: int, kind: Kind) -> None:
    child_kinds = sorted(
        set(
            session.execute(
                sa.select(col(WorkItem.kind)).where(col(WorkItem.parent_id) == item_id).distinct()
            ).scalars()
        )
    )
    if any(Kind(k).level <= kind.level for k in child_kinds):
        raise InvalidInput(
            f"#{item_id} has {' and '.join(child_kinds)} children, so it cannot become a "
            f"{kind.value}; move them first",
            "kind",
        )


def _check_sprint(session: Session, sprint_id: int | None) -> None:
    if sprint_id is not None and session.get(Sprint, sprint_id) is None:
        raise NotFound(f"no sprint #{sprint_id}", "sprint_id")


def _bottom_rank(session: Session, status: str) -> int:
    top = session.execute(
        sa.select(sa.func.max(col(WorkItem.rank))).where(col(WorkItem.status) == status)
    ).scalar_one()
    return int(top or 0) + 1


def _set_status(session: Session, item: WorkItem, column: BoardColumn, now: datetime) -> None:
    if item.status == column.key:
        return
    rank = _bottom_rank(session, column.key)  # before the change, or autoflush counts it
    item.status = column.key
    item.rank = rank
    item.done_at = now if column.is_done else None


# ---------------------------------------------------------------- writing


def create_item(
    db: Database,
    clock: Clock,
    kind: Kind | str,
    title: str,
    *,
    points: int | str | None = None,
    parent_id: int | None = None,
    status: str | None = None,
    sprint_id: int | None = None,
    owner: str | None = None,
    start_date: date | None = None,
    target_date: date | None = None,
    description: str | None = None,
    acceptance: str | None = None,
    goal_id: int | None = None,
) -> ItemView:
    """File a new item at the bottom of its column (the first column by default)."""
    kind = kind if isinstance(kind, Kind) else parse_kind(kind)
    clean_title = validate.title(title)
    clean_points = validate.points(points)
    validate.own_points(kind, clean_points)
    clean_owner = validate.line(owner, "owner", validate.OWNER_MAX)
    start = validate.day(start_date, "start_date")
    target = validate.day(target_date, "target_date")
    validate.date_range(start, target, "start_date", "target_date")
    now = clock.now()
    with db.write() as session:
        _check_parent(session, kind, parent_id, None)
        _check_sprint(session, sprint_id)
        if status is None:
            column = session.execute(
                sa.select(BoardColumn).order_by(col(BoardColumn.position)).limit(1)
            ).scalar_one()
        else:
            column = _resolve_column(session, status)
        item = WorkItem(
            kind=kind.value,
            title=clean_title,
            points=clean_points,
            parent_id=parent_id,
            status=column.key,
            rank=_bottom_rank(session, column.key),
            sprint_id=sprint_id,
            owner=clean_owner,
            start_date=start,
            target_date=target,
            description=validate.block(description, "description"),
            acceptance=validate.block(acceptance, "acceptance"),
            goal_id=goal_id,
            created_at=now,
            updated_at=now,
            done_at=now if column.is_done else None,
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        return _fetch(session, item.id)


def _load(session: Session, item_id: int) -> WorkItem:
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "id")
    return item


def edit_item(db: Database, clock: Clock, item_id: int, **changes: Any) -> ItemView:
    """Change some fields of an item; every rule is checked before anything is saved."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}")
    now = clock.now()
    with db.write() as session:
        item = _load(session, item_id)
        kind = Kind(item.kind)
        if "kind" in changes:
            new_kind = changes["kind"]
            kind = new_kind if isinstance(new_kind, Kind) else parse_kind(str(new_kind))
            _check_children(session, item_id, kind)
            item.kind = kind.value
        if "title" in changes:
            item.title = validate.title(changes["title"])
        if "points" in changes:
            item.points = validate.points(changes["points"])
        if "points" in changes or "kind" in changes:
            validate.own_points(kind, item.points)
        if "owner" in changes:
            item.owner = validate.line(changes["owner"], "owner", validate.OWNER_MAX)
        if "description" in changes:
            item.description = validate.block(changes["description"], "description")
        if "acceptance" in changes:
            item.acceptance = validate.block(changes["acceptance"], "acceptance")
        if "start_date" in changes:
            item.start_date = validate.day(changes["start_date"], "start_date")
        if "target_date" in changes:
            item.target_date = validate.day(changes["target_date"], "target_date")
        validate.date_range(item.start_date, item.target_date, "start_date", "target_date")
        if "parent_id" in changes or "kind" in changes:
            parent_id = changes.get("parent_id", item.parent_id)
            _check_parent(session, kind, parent_id, item_id)
            item.parent_id = parent_id
        if "sprint_id" in changes:
            _check_sprint(session, changes["sprint_id"])
            item.sprint_id = changes["sprint_id"]
        if "goal_id" in changes:
            item.goal_id = changes["goal_id"]
        if "status" in changes:
            _set_status(session, item, _resolve_column(session, changes["status"]), now)
        item.updated_at = now
        session.flush()
        return _fetch(session, item_id)


def move_item(db: Database, clock: Clock, item_id: int, status: str) -> ItemView:
    """Move an item to the bottom of another column (done items get a done time)."""
    with db.write() as session:
        item = _load(session, item_id)
        _set_status(session, item, _resolve_column(session, status), clock.now())
        item.updated_at = clock.now()
        session.flush()
        return _fetch(session, item_id)


def place_item(
    db: Database, clock: Clock, item_id: int, status: str, rank: int, done_at: datetime | None
) -> ItemView:
    """Put an item back exactly where it was (column, rank, done time): undo uses it."""
    with db.write() as session:
        item = _load(session, item_id)
        item.status = _resolve_column(session, status).key
        item.rank = rank
        item.done_at = done_at
        item.updated_at = clock.now()
        session.flush()
        return _fetch(session, item_id)


def reorder_item(db: Database, clock: Clock, item_id: int, delta: int) -> ItemView:
    """Move an item `delta` places up (negative) or down among the items of its level
    in its column; it stops at either end."""
    with db.write() as session:
        item = _load(session, item_id)
        level_kinds = [k.value for k in Kind if k.level == Kind(item.kind).level]
        siblings = list(
            session.execute(
                sa.select(WorkItem)
                .where(
                    col(WorkItem.status) == item.status,
                    col(WorkItem.kind).in_(level_kinds),
                    col(WorkItem.archived_at).is_(None),
                )
                .order_by(col(WorkItem.rank), col(WorkItem.id))
            ).scalars()
        )
        index = (
            next(i for i, s in enumerate(siblings) if s.id == item_id)
            if item.archived_at is None
            else -1
        )
        target = max(0, min(len(siblings) - 1, index + delta))
        if index < 0 or target == index:
            return _fetch(session, item_id)
        # The level's items keep the set of ranks they hold and swap places inside it
        # (items of other levels in the column keep theirs); ties are spread first.
        ranks = [s.rank for s in siblings]
        if len(set(ranks)) != len(ranks):
            ranks = list(range(ranks[0], ranks[0] + len(ranks)))
        siblings.insert(target, siblings.pop(index))
        for sibling, rank in zip(siblings, ranks, strict=True):
            sibling.rank = rank
        item.updated_at = clock.now()
        session.flush()
        return _fetch(session, item_id)


def set_archived(db: Database, clock: Clock, item_id: int, archived: bool) -> ItemView:
    """Archive an item (hidden from the board and roll-ups) or restore it."""
    with db.write() as session:
        item = _load(session, item_id)
        if archived and item.archived_at is None:
            item.archived_at = clock.now()
        elif not archived and item.archived_at is not None:
            if item.parent_id is not None:
                parent = session.get(WorkItem, item.parent_id)
                if parent is not None and parent.archived_at is not None:
                    raise InvalidInput(
                        f"#{item_id}'s parent #{parent.id} is archived: restore it first", "id"
                    )
            item.archived_at = None
        item.updated_at = clock.now()
        session.flush()
        return _fetch(session, item_id)


# ---------------------------------------------------------------- dependencies


def dependencies(db: Database) -> dict[int, list[int]]:
    """For each blocked item, the items blocking it."""
    from tpm_tui.models import Dependency

    out: dict[int, list[int]] = {}
    with db.read() as session:
        rows = session.execute(
            sa.select(col(Dependency.item_id), col(Dependency.blocked_by_id)).order_by(
                col(Dependency.item_id), col(Dependency.blocked_by_id)
            )
        )
        for item_id, blocker in rows:
            out.setdefault(int(item_id), []).append(int(blocker))
    return out


def add_dependency(db: Database, item_id: int, blocked_by_id: int) -> None:
    """Record that `item_id` waits for `blocked_by_id` (refusing self-blocks and cycles)."""
    from tpm_tui.models import Dependency

    if item_id == blocked_by_id:
        raise InvalidInput("an item cannot block itself", "blocked_by")
    with db.write() as session:
        _load(session, item_id)
        _load(session, blocked_by_id)
        edges: dict[int, list[int]] = {}
        for a, b in session.execute(
            sa.select(col(Dependency.item_id), col(Dependency.blocked_by_id))
        ):
            edges.setdefault(int(a), []).append(int(b))
        # would blocked_by_id (transitively) wait for item_id? then this closes a cycle
        seen, stack = set(), [blocked_by_id]
        while stack:
            node = stack.pop()
            if node == item_id:
                raise InvalidInput(
                    f"#{blocked_by_id} already waits for #{item_id}: that would be a cycle",
                    "blocked_by",
                )
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, []))
        if blocked_by_id not in edges.get(item_id, []):
            session.add(Dependency(item_id=item_id, blocked_by_id=blocked_by_id))


def remove_dependency(db: Database, item_id: int, blocked_by_id: int) -> None:
    """Forget that `item_id` waits for `blocked_by_id`."""
    from tpm_tui.models import Dependency

    with db.write() as session:
        row = session.get(Dependency, (item_id, blocked_by_id))
        if row is None:
            raise NotFound(f"#{item_id} is not blocked by #{blocked_by_id}", "blocked_by")
        session.delete(row)
