"""The backlog: work items, their columns and order, parents, roll-ups and archive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import Conflict, InvalidInput, NotFound
from tpm_tui.kinds import Kind, parse_kind
from tpm_tui.services import history, progress, validate
from tpm_tui.services.filters import ME, ItemFilter
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

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
    source: str | None = None  # the tool an imported item came from ("jira"...)
    source_key: str | None = None  # its key there ("PAY-142", "org/repo#12")

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
        return progress.done_percent(
            self.total_points, self.done_points, self.items, self.done_items, self.self_done
        )

    @property
    def sums(self) -> progress.Sums:
        """The same figures as a tuple (what services/progress.py works on)."""
        return (self.total_points, self.done_points, self.items, self.done_items, self.self_done)


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


def _columns(ex: Executor) -> list[ColumnView]:
    return [ColumnView(*row) for row in ex.rows(q.columns_all)]


def list_columns(db: Database) -> list[ColumnView]:
    """The board's columns, in order."""
    with db.read() as ex:
        return _columns(ex)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _resolve_column(ex: Executor, text: str) -> ColumnView:
    columns = _columns(ex)
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


_ITEM_FIELDS = tuple(f.name for f in fields(ItemView))
_KINDS = {kind.value: kind for kind in Kind}


def _view(row: tuple[Any, ...]) -> ItemView:
    """An ItemView from a row of q.item_by_id / q.items_list (the same columns, in
    the dataclass's order). Its fields are set as the frozen dataclass's own __init__
    would (a test compares), without its call per field: a backlog of 4,000 rows took
    23 ms to make this way, 11 ms so (the sprint screen and the board read it whole)."""
    view: ItemView = object.__new__(ItemView)
    view.__dict__.update(zip(_ITEM_FIELDS, (row[0], _KINDS[row[1]], *row[2:]), strict=False))
    return view


def _fetch(ex: Executor, item_id: int) -> ItemView:
    row = ex.row(q.item_by_id, id=item_id)
    if row is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "id")
    return _view(row)


# For the other services' transactions (sprints, columns): the same readers.
view = _view
fetch = _fetch
columns_in = _columns
resolve_column = _resolve_column


def get_item(db: Database, item_id: int) -> ItemView:
    """One item by id (archived ones included)."""
    with db.read() as ex:
        return _fetch(ex, item_id)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_params(f: ItemFilter | None, today: date | None, me: str) -> dict[str, Any]:
    """The filter language as the parameters of q.items_list (null: no narrowing);
    `owner:me` is the user `me`."""
    params: dict[str, Any] = {
        "words": None,
        "epic_id": None,
        "feature_id": None,
        "sprint_mode": "any",
        "sprint_name": None,
        "today": today or date.today(),
        "owner": None,
        "points_op": None,
        "points": None,
        "source_key": None,
    }
    if f is None:
        return params
    if f.words:
        params["words"] = json.dumps([_like(word) for word in f.words])
    params["epic_id"] = f.epic_id
    params["feature_id"] = f.feature_id
    if f.sprint in ("none", "current"):
        params["sprint_mode"] = f.sprint
    elif f.sprint is not None:
        params["sprint_mode"], params["sprint_name"] = "name", f.sprint.lower()
    params["owner"] = f.owner
    if f.owner == ME:
        if not me:
            raise InvalidInput("owner:me? no user name is known here: set TPM_USER", "filter")
        params["owner"] = me.lower()
    if f.points is not None:
        params["points_op"], params["points"] = f.points
    if f.source_key is not None:
        params["source_key"] = f.source_key.lower()
    return params


def unknown_sprint(db: Database, f: ItemFilter) -> str | None:
    """What to say when filter `f` names a sprint no sprint is called (a typo shows an
    empty board otherwise); None when it names none, or one that exists."""
    if f.sprint in (None, "none", "current"):
        return None
    with db.read() as ex:
        names = [str(row[1]) for row in ex.rows(q.sprint_names)]
    if f.sprint.lower() in {name.lower() for name in names}:
        return None
    # `sprint:Sprint 24` (or an unclosed quote) reads "Sprint" alone: say how to name it.
    start = f.sprint.strip("\"'").lower() + " "
    spaced = [name for name in names if name.lower().startswith(start)]
    if spaced:
        return (
            f"sprint:{f.sprint}? no sprint has that name: a name with spaces goes in quotes,"
            f' as in sprint:"{spaced[-1]}"'
        )
    known = f"the latest: {', '.join(names[-3:])}" if names else "there are no sprints yet"
    return f"sprint:{f.sprint}? no sprint has that name ({known}; or sprint:current, sprint:none)"


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
    wanted = list(kinds) if kinds is not None else list(Kind)
    if item_filter is not None and item_filter.kinds:
        wanted = [k for k in wanted if k in item_filter.kinds]
    with db.read() as ex:
        rows = ex.rows(
            q.items_list,
            status=_resolve_column(ex, status).key if status is not None else None,
            kinds=[k.value for k in wanted],
            active=archived is not True,
            archived=archived is not False,
            parent_id=parent_id,
            **_filter_params(item_filter, today, db.me),
        )
    return [_view(row) for row in rows]


def rollups(db: Database, ids: Sequence[int] | None = None) -> dict[int, Rollup]:
    """Points and done points of every epic's and feature's stories, bugs and debt,
    summed in SQL (archived items left out)."""
    with db.read() as ex:
        sums = progress.rollup_sums(ex)
    wanted = set(ids) if ids is not None else None
    return {k: Rollup(*v) for k, v in sums.items() if wanted is None or k in wanted}


# ---------------------------------------------------------------- rules


def _check_parent(ex: Executor, kind: Kind, parent_id: int | None, item_id: int | None) -> None:
    if parent_id is None:
        return  # any item may stand alone until it finds its place in the tree
    if kind is Kind.EPIC:
        raise InvalidInput("an epic has no parent: epics are the top of the tree", "parent_id")
    if item_id is not None and parent_id == item_id:
        raise InvalidInput("an item cannot be its own parent", "parent_id")
    parent = ex.record(q.item_row, id=parent_id)
    if parent is None:
        raise NotFound(
            f"no parent #{parent_id}: `tpm list --kind epic` shows the epics", "parent_id"
        )
    if parent["archived_at"] is not None:
        raise InvalidInput(
            f"parent #{parent_id} is archived: restore it or pick another", "parent_id"
        )
    parent_kind = Kind(parent["kind"])
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


def _check_children(ex: Executor, item_id: int, kind: Kind) -> None:
    child_kinds = sorted({row[0] for row in ex.rows(q.item_child_kinds, id=item_id)})
    if any(Kind(k).level <= kind.level for k in child_kinds):
        raise InvalidInput(
            f"#{item_id} has {' and '.join(child_kinds)} children, so it cannot become a "
            f"{kind.value}; move them first",
            "kind",
        )


def _check_sprint(ex: Executor, sprint_id: int | None) -> None:
    if sprint_id is not None and ex.scalar(q.sprint_exists, id=sprint_id) is None:
        raise NotFound(f"no sprint #{sprint_id}", "sprint_id")


def check_sprint_change(ex: Executor, before: int | None, after: int | None) -> None:
    """Inside a write, wherever an item's sprint is set: a closed sprint stands as it
    was closed (its items, velocity and figures), so no item joins or leaves it. Its
    close's carry-over comes before it is closed; an import restores history as it
    was, without coming here."""
    if before == after:
        return
    for sprint_id in (before, after):
        if sprint_id is None:
            continue
        row = ex.record(q.sprint_row, id=sprint_id)
        if row is not None and row["closed_at"] is not None:
            raise InvalidInput(f"{row['name']} is closed: plan the next one", "sprint_id")


def _bottom_rank(ex: Executor, status: str) -> int:
    return int(ex.scalar(q.item_max_rank, status=status) or 0) + 1


def _set_status(ex: Executor, item: dict[str, Any], column: ColumnView, now: datetime) -> None:
    if item["status"] == column.key:
        return
    item["rank"] = _bottom_rank(ex, column.key)
    item["status"] = column.key
    item["done_at"] = now if column.is_done else None


def _load(ex: Executor, item_id: int) -> dict[str, Any]:
    """The stored row of an item, as a dict to change and save with _save."""
    item = ex.record(q.item_row, id=item_id)
    if item is None:
        raise NotFound(f"no item #{item_id}: `tpm list` shows the ids", "id")
    return item


def _save(ex: Executor, item: dict[str, Any]) -> ItemView:
    """Write every field of a changed row back (with the history's event of what
    changed, in the same transaction), and read it as the UI shows it."""
    before = ex.record(q.item_row, id=item["id"])
    fields = {name: value for name, value in item.items() if name != "id"}
    fields["version"] = item["version"] + 1  # every change: a form open meanwhile sees it
    ex.run(q.item_update, row_id=item["id"], **fields)
    history.record(ex, before, item, item["updated_at"])
    return _fetch(ex, item["id"])


# ---------------------------------------------------------------- writing


def default_owner(db: Database) -> str:
    """Who a new item belongs to unless told: me on a team database (what I file is mine
    until given to someone), nobody in a SQLite workspace (one person's anyway). The
    item form shows it in a new item's owner field."""
    return "" if db.is_sqlite else db.me


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
    """File a new item at the bottom of its column (the first column by default);
    `owner` None: default_owner."""
    kind = kind if isinstance(kind, Kind) else parse_kind(kind)
    clean_title = validate.title(title)
    clean_points = validate.points(points)
    validate.own_points(kind, clean_points)
    if owner is None:
        owner = default_owner(db)
    clean_owner = validate.line(owner, "owner", validate.OWNER_MAX)
    start = validate.day(start_date, "start_date")
    target = validate.day(target_date, "target_date")
    validate.date_range(start, target, "start_date", "target_date")
    clean_description = validate.block(description, "description")
    clean_acceptance = validate.block(acceptance, "acceptance")
    now = clock.now()
    with db.write() as ex:
        _check_parent(ex, kind, parent_id, None)
        _check_sprint(ex, sprint_id)
        check_sprint_change(ex, None, sprint_id)
        column = _columns(ex)[0] if status is None else _resolve_column(ex, status)
        item_id = ex.scalar(
            q.item_insert,
            kind=kind.value,
            parent_id=parent_id,
            goal_id=goal_id,
            title=clean_title,
            description=clean_description,
            acceptance=clean_acceptance,
            status=column.key,
            rank=_bottom_rank(ex, column.key),
            points=clean_points,
            sprint_id=sprint_id,
            owner=clean_owner,
            start_date=start,
            target_date=target,
            created_at=now,
            updated_at=now,
            done_at=now if column.is_done else None,
            archived_at=None,
            version=0,
            source=None,
            source_key=None,
            source_data=None,
        )
        created = _load(ex, int(item_id))
        history.record(ex, None, created, now)
        return _fetch(ex, int(item_id))


class EditConflict(Conflict):
    """Someone saved the item since the caller read it (its version moved on): nothing
    was saved. `current` is the item as it is now, `version` its version."""

    def __init__(self, current: ItemView, version: int) -> None:
        super().__init__(
            f"#{current.id} was changed by someone else since you opened it: nothing was saved"
        )
        self.current = current
        self.version = version


def item_version(db: Database, item_id: int) -> tuple[ItemView, int]:
    """An item and its version (raised by every save), read together: an edit that
    passes the version back saves only if nobody saved the item meanwhile."""
    with db.read() as ex:
        return _fetch(ex, item_id), int(_load(ex, item_id)["version"])


def edit_item(
    db: Database,
    clock: Clock,
    item_id: int,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> ItemView:
    """Change some fields of an item; every rule is checked before anything is saved.
    With `expected_version`, only if the item is still at that version (EditConflict,
    with the item as it is now, otherwise)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}")
    now = clock.now()
    with db.write() as ex:
        item = _load(ex, item_id)
        if expected_version is not None and item["version"] != expected_version:
            raise EditConflict(_fetch(ex, item_id), int(item["version"]))
        dates_before = {name: item[name] for name in DATE_FIELDS}
        kind = Kind(item["kind"])
        if "kind" in changes:
            new_kind = changes["kind"]
            kind = new_kind if isinstance(new_kind, Kind) else parse_kind(str(new_kind))
            _check_children(ex, item_id, kind)
            item["kind"] = kind.value
        if "title" in changes:
            item["title"] = validate.title(changes["title"])
        if "points" in changes:
            item["points"] = validate.points(changes["points"])
        if "points" in changes or "kind" in changes:
            validate.own_points(kind, item["points"])
        if "owner" in changes:
            item["owner"] = validate.line(changes["owner"], "owner", validate.OWNER_MAX)
        if "description" in changes:
            item["description"] = validate.block(changes["description"], "description")
        if "acceptance" in changes:
            item["acceptance"] = validate.block(changes["acceptance"], "acceptance")
        if "start_date" in changes:
            item["start_date"] = validate.day(changes["start_date"], "start_date")
        if "target_date" in changes:
            item["target_date"] = validate.day(changes["target_date"], "target_date")
        validate.date_range(item["start_date"], item["target_date"], "start_date", "target_date")
        if "parent_id" in changes or "kind" in changes:
            parent_id = changes.get("parent_id", item["parent_id"])
            _check_parent(ex, kind, parent_id, item_id)
            item["parent_id"] = parent_id
        if "sprint_id" in changes:
            _check_sprint(ex, changes["sprint_id"])
            check_sprint_change(ex, item["sprint_id"], changes["sprint_id"])
            item["sprint_id"] = changes["sprint_id"]
        if "goal_id" in changes:
            item["goal_id"] = changes["goal_id"]
        if "status" in changes:
            _set_status(ex, item, _resolve_column(ex, changes["status"]), now)
        item["updated_at"] = now
        _record_date_changes(ex, item_id, dates_before, item, now)
        return _save(ex, item)


DATE_FIELDS = ("start_date", "target_date")


def _record_date_changes(
    ex: Executor, item_id: int, before: dict[str, Any], item: dict[str, Any], now: datetime
) -> None:
    """Keep each change of a start or target date (the status report's "dates that
    moved this week")."""
    for name, old in before.items():
        if item[name] != old:
            ex.scalar(
                q.date_change_insert,
                item_id=item_id,
                field=name,
                old_date=old,
                new_date=item[name],
                changed_at=now,
            )


def set_sprint(ex: Executor, item_id: int, sprint_id: int | None, now: datetime) -> ItemView:
    """Inside a write: put an item into a sprint (or none), recorded in its history;
    sprints hold stories, bugs and debt that are on the board."""
    item = _load(ex, item_id)
    kind = Kind(item["kind"])
    if sprint_id is not None and kind not in LEAF_KINDS:
        raise InvalidInput(
            f"#{item_id} is {'an' if kind is Kind.EPIC else 'a'} {kind.value}: a sprint holds "
            "stories, bugs and debt",
            "sprint_id",
        )
    if sprint_id is not None and item["archived_at"] is not None:
        raise InvalidInput(f"#{item_id} is archived: `tpm restore {item_id}` first", "sprint_id")
    if item["sprint_id"] == sprint_id:
        return _fetch(ex, item_id)
    check_sprint_change(ex, item["sprint_id"], sprint_id)
    item["sprint_id"] = sprint_id
    item["updated_at"] = now
    return _save(ex, item)


def move_item(db: Database, clock: Clock, item_id: int, status: str) -> ItemView:
    """Move an item to the bottom of another column (done items get a done time)."""
    now = clock.now()
    with db.write() as ex:
        item = _load(ex, item_id)
        _set_status(ex, item, _resolve_column(ex, status), now)
        item["updated_at"] = now
        return _save(ex, item)


def place_item(
    db: Database, clock: Clock, item_id: int, status: str, rank: int, done_at: datetime | None
) -> ItemView:
    """Put an item back exactly where it was (column, rank, done time): undo uses it."""
    with db.write() as ex:
        item = _load(ex, item_id)
        item["status"] = _resolve_column(ex, status).key
        item["rank"] = rank
        item["done_at"] = done_at
        item["updated_at"] = clock.now()
        return _save(ex, item)


def reorder_item(db: Database, clock: Clock, item_id: int, delta: int) -> ItemView:
    """Move an item `delta` places up (negative) or down among the items of its level
    in its column; it stops at either end."""
    with db.write() as ex:
        item = _load(ex, item_id)
        level_kinds = [k.value for k in Kind if k.level == Kind(item["kind"]).level]
        siblings = ex.rows(q.siblings_in_column, status=item["status"], kinds=level_kinds)
        ids = [sibling_id for sibling_id, _rank in siblings]
        index = ids.index(item_id) if item["archived_at"] is None else -1
        target = max(0, min(len(ids) - 1, index + delta))
        if index < 0 or target == index:
            return _fetch(ex, item_id)
        # The level's items keep the set of ranks they hold and swap places inside it
        # (items of other levels in the column keep theirs); ties are spread first.
        ranks = [rank for _id, rank in siblings]
        if len(set(ranks)) != len(ranks):
            ranks = list(range(ranks[0], ranks[0] + len(ranks)))
        ids.insert(target, ids.pop(index))
        for sibling_id, rank, (_old_id, old_rank) in zip(ids, ranks, siblings, strict=True):
            if sibling_id != item_id and (sibling_id, rank) != (_old_id, old_rank):
                ex.run(q.item_set_rank, row_id=sibling_id, rank=rank)
        item["rank"] = ranks[ids.index(item_id)]
        item["updated_at"] = clock.now()
        return _save(ex, item)


def set_archived(db: Database, clock: Clock, item_id: int, archived: bool) -> ItemView:
    """Archive an item (hidden from the board and roll-ups) or restore it."""
    with db.write() as ex:
        item = _load(ex, item_id)
        if archived and item["archived_at"] is None:
            item["archived_at"] = clock.now()
        elif not archived and item["archived_at"] is not None:
            if item["parent_id"] is not None:
                parent = ex.record(q.item_row, id=item["parent_id"])
                if parent is not None and parent["archived_at"] is not None:
                    raise InvalidInput(
                        f"#{item_id}'s parent #{parent['id']} is archived: restore it first",
                        "id",
                    )
            item["archived_at"] = None
        item["updated_at"] = clock.now()
        return _save(ex, item)


# ---------------------------------------------------------------- dependencies


def _edges(ex: Executor) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for item_id, blocker in ex.rows(q.dependencies_all):
        out.setdefault(int(item_id), []).append(int(blocker))
    return out


def dependencies(db: Database) -> dict[int, list[int]]:
    """For each blocked item, the items blocking it."""
    with db.read() as ex:
        return _edges(ex)


def add_dependency(db: Database, item_id: int, blocked_by_id: int) -> None:
    """Record that `item_id` waits for `blocked_by_id` (refusing self-blocks and cycles)."""
    if item_id == blocked_by_id:
        raise InvalidInput("an item cannot block itself", "blocked_by")
    with db.write() as ex:
        _load(ex, item_id)
        _load(ex, blocked_by_id)
        edges = _edges(ex)
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
            ex.run(q.dependency_insert, item_id=item_id, blocked_by_id=blocked_by_id)


def remove_dependency(db: Database, item_id: int, blocked_by_id: int) -> None:
    """Forget that `item_id` waits for `blocked_by_id`."""
    with db.write() as ex:
        if not ex.run(q.dependency_delete, item_id=item_id, blocked_by_id=blocked_by_id):
            raise NotFound(f"#{item_id} is not blocked by #{blocked_by_id}", "blocked_by")
