"""Whole-workspace export to JSON and import from it: checked in full before one
transaction writes anything."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel

from tpm_tui.clock import Clock
from tpm_tui.db import HEAD_REVISION, Database
from tpm_tui.errors import Conflict, InvalidInput
from tpm_tui.models import (
    BoardColumn,
    Category,
    DateChange,
    Dependency,
    DocumentVersion,
    Goal,
    ItemEvent,
    KeyResult,
    KeyResultValue,
    Kind,
    Milestone,
    Setting,
    Sprint,
    TeamAway,
    TeamMember,
    TimeEntry,
    WorkItem,
)
from tpm_tui.services import planning, settings, timetrack, validate
from tpm_tui.services.documents import DOCUMENT_MAX, DocKind
from tpm_tui.services.goals import NUMBER_MAX
from tpm_tui.sql.dialect import defer_foreign_keys, ids_follow_rows
from tpm_tui.text import clean_block, clean_line, has_visible

FORMAT = "tpm-export"
VERSION = 1
# Parents before children, so foreign keys hold row by row.
SECTIONS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("columns", BoardColumn),
    ("goals", Goal),
    ("key_results", KeyResult),
    ("key_result_values", KeyResultValue),
    ("sprints", Sprint),
    ("milestones", Milestone),
    ("items", WorkItem),
    ("time_entries", TimeEntry),
    ("settings", Setting),
    ("dependencies", Dependency),
    ("documents", DocumentVersion),
    ("date_changes", DateChange),
    ("team", TeamMember),
    ("team_away", TeamAway),
    ("item_events", ItemEvent),
)
# What makes a workspace "not empty" for import: things a person made.
CONTENT = ("goals", "sprints", "milestones", "items", "time_entries", "documents", "team")
_BLOCK_FIELDS = {"description", "acceptance", "goal", "body", "retro"}
# Text columns longer than validate.TEXT_MAX: a document (a PRD) may be long.
_LIMITS = {"body": DOCUMENT_MAX}
_MAX_ROWS = 1_000_000
# Moments are accepted in the one range every entrance uses (validate.MOMENT_MIN..MAX:
# any moment of a local day of the accepted dates, in any zone), so whatever tpm
# stored exports and imports again.
_SPANS = {"started_at", "ended_at"}
# Columns holding row ids: a stored id is a positive whole number.
_ID_COLUMNS = {
    "id",
    "parent_id",
    "goal_id",
    "sprint_id",
    "item_id",
    "blocked_by_id",
    "key_result_id",
    "member_id",
}
# An export made before the item history existed has no `item_events`: the import
# tells each item's history from its own times, as the migration to it does.
_HISTORY = "item_events"


def _table(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _order(model: type[SQLModel], table: sa.Table) -> list[Any]:
    """A stable order for each section, so two exports of the same data are equal."""
    if model is BoardColumn:
        return [table.c.position]
    if model is Setting:
        return [table.c.key]
    if model is Dependency:
        return [table.c.item_id, table.c.blocked_by_id]
    return [table.c.id]


def export_workspace(db: Database, clock: Clock) -> dict[str, Any]:
    """Every row of every table, as plain JSON values (UTC times, ISO dates)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "schema": HEAD_REVISION,
        "exported_at": _dump_value(clock.now()),
    }
    with db.orm_read() as session:
        for name, model in SECTIONS:
            table = _table(model)
            columns = [c for c in table.columns if not (model is BoardColumn and c.name == "id")]
            rows = session.execute(sa.select(*columns).order_by(*_order(model, table))).all()
            data[name] = [
                {c.name: _dump_value(v) for c, v in zip(columns, row, strict=True)} for row in rows
            ]
    return data


def is_empty(db: Database) -> bool:
    """Whether the workspace holds nothing a person made (the default columns don't count)."""
    with db.orm_read() as session:
        return not _has_content(session)


def _has_content(session: Any) -> bool:
    return any(
        session.execute(sa.select(_table(model).c.id).limit(1)).first() is not None
        for name, model in SECTIONS
        if name in CONTENT
    )


def json_int(text: str) -> int:
    """A JSON integer as read for an import (json.loads' parse_int): one too long for any
    column becomes a number out of every range, refused at its row like any other, since
    int() raises ValueError past 4,300 digits."""
    digits = text.lstrip("-").lstrip("0")
    if len(digits) > len(str(2**64)):
        return -(2**64) if text.startswith("-") else 2**64
    return int(text)


def _fail(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"import refused, nothing changed: {where}: {message}")


def _python_type(column: sa.Column[Any]) -> type:
    """The Python type a column holds (sqlmodel's decorated types report `object`)."""
    sql_type = column.type
    if isinstance(sql_type, sa.types.TypeDecorator):
        sql_type = sql_type.impl_instance
    return sql_type.python_type


def _parse_value(where: str, column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        if not column.nullable:
            raise _fail(where, "may not be null")
        return None
    kind = _python_type(column)
    if kind is bool:
        if not isinstance(value, bool):
            raise _fail(where, f"must be true or false, not {value!r:.40}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, f"must be a whole number, not {value!r:.40}")
        if not -(2**62) < value < 2**62:
            raise _fail(where, "is out of range")
        if column.name in _ID_COLUMNS and value <= 0:
            raise _fail(where, f"must be a positive whole number, not {value}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, f"must be a number, not {value!r:.40}")
        if not math.isfinite(value) or abs(value) > NUMBER_MAX:
            raise _fail(where, "is not a number tpm keeps (finite, at most 1e15)")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise _fail(where, f"must be text, not {value!r:.40}")
        limit = (
            getattr(column.type, "length", None) or _LIMITS.get(column.name) or validate.TEXT_MAX
        )
        text = clean_block(value) if column.name in _BLOCK_FIELDS else clean_line(value)
        if len(text) > limit:
            raise _fail(where, f"is {len(text)} characters long; the limit is {limit}")
        return text
    if not isinstance(value, str):
        raise _fail(where, f"must be an ISO date or time as text, not {value!r:.40}")
    try:
        if kind is datetime:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)  # what is stored, and exported
        else:
            parsed_day = date.fromisoformat(value)
    except (ValueError, OverflowError):
        raise _fail(where, f"{value!r:.40} is not an ISO date or time") from None
    if kind is datetime:
        # The time an entry covers is the user's data, held to the one range; the other
        # moments (created, updated, done, archived) are when tpm did something, as
        # the clock said, and come back as they went out.
        if column.name not in _SPANS:
            return moment
        try:
            return validate.moment(moment, column.name)
        except InvalidInput as refused:
            raise _fail(where, str(refused)) from None
    elif validate.DATE_MIN <= parsed_day <= validate.DATE_MAX:
        return parsed_day
    raise _fail(where, f"{value:.40} is out of range ({validate.DATE_MIN}…{validate.DATE_MAX})")


def _parse_rows(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    parsed: dict[str, list[dict[str, Any]]] = {}
    if _HISTORY not in data:
        parsed["backfill"] = []
    for name, model in SECTIONS:
        rows = data.get(name, [])
        if not isinstance(rows, list):
            raise _fail(name, "must be a list")
        if len(rows) > _MAX_ROWS:
            raise _fail(name, f"holds more than {_MAX_ROWS} rows")
        table = _table(model)
        fields = model.model_fields
        out = []
        seen: set[Any] = set()
        key_name = "key" if model in (BoardColumn, Setting) else "id"
        if model is Dependency:
            key_name = ""
        for index, row in enumerate(rows):
            where = f"{name}[{index}]"
            if not isinstance(row, dict):
                raise _fail(where, "must be an object")
            unknown = set(row) - set(table.c.keys())
            if unknown:
                raise _fail(where, f"unknown field {sorted(unknown)[0]!r}")
            values: dict[str, Any] = {}
            for column in table.columns:
                if model is BoardColumn and column.name == "id":
                    continue
                if column.name in row:
                    values[column.name] = _parse_value(
                        f"{where}.{column.name}", column, row[column.name]
                    )
                elif column.primary_key or fields[column.name].default is PydanticUndefined:
                    raise _fail(where, f"missing {column.name!r}")
                else:
                    values[column.name] = fields[column.name].default
            key = (values["item_id"], values["blocked_by_id"]) if not key_name else values[key_name]
            if key in seen:
                raise _fail(where, f"duplicate {key_name or 'dependency'} {key!r}")
            seen.add(key)
            out.append(values)
        parsed[name] = out
    return parsed


def _check_references(rows: dict[str, list[dict[str, Any]]], now: datetime) -> None:
    columns = {c["key"] for c in rows["columns"]}
    if not columns:
        raise _fail("columns", "the board needs at least one column")
    for i, c in enumerate(rows["columns"]):
        if not c["key"] or not has_visible(c["name"]):
            raise _fail(f"columns[{i}]", "key and name may not be empty")
    names = [s["name"].lower() for s in rows["sprints"]]
    if len(set(names)) != len(names):
        raise _fail("sprints", "two sprints share a name")
    for i, s in enumerate(rows["sprints"]):
        if not has_visible(s["name"]):
            raise _fail(f"sprints[{i}]", "the name is empty")
        if s["end_date"] < s["start_date"]:
            raise _fail(f"sprints[{i}]", "ends before it starts")
        if s["capacity"] is not None and not 0 <= s["capacity"] <= planning.CAPACITY_MAX:
            raise _fail(f"sprints[{i}]", f"capacity out of 0–{planning.CAPACITY_MAX}")
    _check_team(rows)
    for i, g in enumerate(rows["goals"]):
        if not has_visible(g["title"]):
            raise _fail(f"goals[{i}] (G{g['id']})", "the title is empty")
    goals = {g["id"] for g in rows["goals"]}
    sprints = {s["id"] for s in rows["sprints"]}
    items = {it["id"]: it for it in rows["items"]}
    for i, it in enumerate(rows["items"]):
        where = f"items[{i}] (#{it['id']})"
        if it["kind"] not in {k.value for k in Kind}:
            raise _fail(where, f"unknown kind {it['kind']!r}")
        if not has_visible(it["title"]):
            raise _fail(where, "the title is empty")
        if it["status"] not in columns:
            raise _fail(where, f"status {it['status']!r} is not a column in the file")
        if it["sprint_id"] is not None and it["sprint_id"] not in sprints:
            raise _fail(where, f"sprint {it['sprint_id']} is not in the file")
        if it["goal_id"] is not None and it["goal_id"] not in goals:
            raise _fail(where, f"goal {it['goal_id']} is not in the file")
        if it["points"] is not None and not 0 <= it["points"] <= validate.POINTS_MAX:
            raise _fail(where, f"points {it['points']} out of 0–{validate.POINTS_MAX}")
        try:
            validate.own_points(Kind(it["kind"]), it["points"])  # as add and edit refuse
        except InvalidInput as refused:
            raise _fail(where, str(refused)) from None
        if it["start_date"] and it["target_date"] and it["target_date"] < it["start_date"]:
            raise _fail(where, "the target date is before the start date")
        parent_id = it["parent_id"]
        if parent_id is not None:
            parent = items.get(parent_id)
            if parent is None:
                raise _fail(where, f"parent {parent_id} is not in the file")
            if parent["kind"] not in {k.value for k in Kind}:
                continue  # reported at the parent's own row
            if (
                Kind(parent["kind"]).level >= Kind(it["kind"]).level
                or Kind(it["kind"]) is Kind.EPIC
            ):
                raise _fail(
                    where,
                    f"a {it['kind']} cannot sit under a {parent['kind']} (#{parent_id}); "
                    "the tree is epic > feature > story/bug/debt, so no cycles",
                )
    for i, d in enumerate(rows["dependencies"]):
        where = f"dependencies[{i}]"
        if d["item_id"] not in items or d["blocked_by_id"] not in items:
            raise _fail(where, "names an item that is not in the file")
        if d["item_id"] == d["blocked_by_id"]:
            raise _fail(where, "an item cannot block itself")
    _check_no_cycle(rows["dependencies"])
    _check_goals(rows, items)
    for i, e in enumerate(rows["item_events"]):
        where = f"item_events[{i}]"
        if e["item_id"] not in items:
            raise _fail(where, f"item {e['item_id']} is not in the file")
        if e["sprint_id"] is not None and e["sprint_id"] not in sprints:
            raise _fail(where, f"sprint {e['sprint_id']} is not in the file")
    _check_entries(rows["time_entries"], items, now)
    _check_settings(rows["settings"])


def _check_goals(rows: dict[str, list[dict[str, Any]]], items: dict[int, Any]) -> None:
    """Key results, their values, documents and date changes point at what exists, as
    the commands that write them check."""
    goals = {g["id"] for g in rows["goals"]}
    results = set()
    for i, kr in enumerate(rows["key_results"]):
        where = f"key_results[{i}] (KR{kr['id']})"
        if kr["goal_id"] not in goals:
            raise _fail(where, f"goal {kr['goal_id']} is not in the file")
        if kr["target"] == kr["baseline"]:
            raise _fail(where, "the target is the baseline: nothing could move")
        if not has_visible(kr["title"]):
            raise _fail(where, "the title is empty")
        results.add(kr["id"])
    for i, value in enumerate(rows["key_result_values"]):
        if value["key_result_id"] not in results:
            raise _fail(
                f"key_result_values[{i}]", f"key result {value['key_result_id']} is not in the file"
            )
    kinds = {k.value for k in DocKind}
    for i, doc in enumerate(rows["documents"]):
        where = f"documents[{i}]"
        if doc["kind"] not in kinds:
            raise _fail(where, f"unknown kind {doc['kind']!r}: use {', '.join(sorted(kinds))}")
        if doc["kind"] == DocKind.VISION and doc["item_id"] is not None:
            raise _fail(where, "the vision belongs to no item")
        if doc["kind"] == DocKind.PRD:
            item = items.get(doc["item_id"])
            if item is None or item["kind"] != Kind.EPIC:
                raise _fail(where, f"a PRD belongs to an epic; item {doc['item_id']} is not one")
    for i, change in enumerate(rows["date_changes"]):
        where = f"date_changes[{i}]"
        if change["item_id"] not in items:
            raise _fail(where, f"item {change['item_id']} is not in the file")
        if change["field"] not in ("start_date", "target_date"):
            raise _fail(where, f"field {change['field']!r} is not start_date or target_date")


def _check_team(rows: dict[str, list[dict[str, Any]]]) -> None:
    """Names unique in any case, a focus `tpm team add` takes, days away of a member."""
    names = [m["name"].lower() for m in rows["team"]]
    if len(set(names)) != len(names):
        raise _fail("team", "two people share a name")
    for i, m in enumerate(rows["team"]):
        if not has_visible(m["name"]) or not 5 <= m["focus_percent"] <= 100:
            raise _fail(f"team[{i}]", "a name and a focus from 5 to 100 (percent)")
    members = {m["id"] for m in rows["team"]}
    for i, a in enumerate(rows["team_away"]):
        if a["member_id"] not in members:
            raise _fail(f"team_away[{i}]", f"member {a['member_id']} is not in the file")
        if a["end_date"] < a["start_date"]:
            raise _fail(f"team_away[{i}]", "ends before it starts")


def _check_no_cycle(dependencies: list[dict[str, Any]]) -> None:
    """Items waiting for each other in a ring can never start: `tpm edit` refuses it."""
    waits: dict[int, list[int]] = {}
    for d in dependencies:
        waits.setdefault(d["item_id"], []).append(d["blocked_by_id"])
    done: set[int] = set()
    for root in waits:
        if root in done:
            continue
        path: list[int] = []
        on_path: set[int] = set()
        stack: list[tuple[int, int]] = [(root, 0)]
        while stack:  # depth first, without recursion (a chain can be long)
            node, index = stack.pop()
            if index == 0:
                path.append(node)
                on_path.add(node)
            following = waits.get(node, [])
            if index < len(following):
                stack.append((node, index + 1))
                nxt = following[index]
                if nxt in on_path:
                    ring = [*path[path.index(nxt) :], nxt]
                    raise _fail(
                        "dependencies",
                        "a cycle: " + " waits for ".join(f"#{n}" for n in ring),
                    )
                if nxt not in done:
                    stack.append((nxt, 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)


def _check_entries(entries: list[dict[str, Any]], items: dict[int, Any], now: datetime) -> None:
    """The rules `tpm log` and the timer keep: known category and item, ends after it
    starts, at most 24h, one timer per person, and no timer started in the future."""
    running: dict[str, int] = {}
    longest = timedelta(minutes=timetrack.MAX_MINUTES)
    for i, e in enumerate(entries):
        where = f"time_entries[{i}] (#{e['id']})"
        if e["category"] not in {c.value for c in Category}:
            raise _fail(where, f"unknown category {e['category']!r}")
        if e["item_id"] is not None and e["item_id"] not in items:
            raise _fail(where, f"item {e['item_id']} is not in the file")
        if e["ended_at"] is None:
            running[e["person"]] = running.get(e["person"], 0) + 1
            if e["started_at"] > now:
                raise _fail(
                    where, f"a timer started in the future ({e['started_at']:%Y-%m-%d %H:%M}Z)"
                )
        elif e["ended_at"] <= e["started_at"]:
            raise _fail(where, "ends before it starts")
        elif e["ended_at"] - e["started_at"] > longest:
            raise _fail(where, "lasts more than 24h; an entry is at most a day")
    for person, count in sorted(running.items()):
        if count > 1:
            whose = f" for {person}" if person else ""
            raise _fail("time_entries", f"{count} timers running{whose}; at most one may run")


def _check_settings(rows: list[dict[str, Any]]) -> None:
    """Each setting as `tpm config` would accept it (its own parser, its own message)."""
    for i, row in enumerate(rows):
        where = f"settings[{i}] ({row['key']})"
        spec = settings.SETTINGS.get(row["key"])
        if spec is None:
            raise _fail(
                where, f"unknown setting {row['key']!r}: use {', '.join(settings.SETTINGS)}"
            )
        try:
            row["value"] = spec.parse(row["value"])
            spec.show(row["value"])
        except InvalidInput as error:
            raise _fail(where, str(error)) from None


@dataclass(frozen=True)
class CheckedImport:
    """An export that passed every check: the rows, ready to insert."""

    rows: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, and where the replaced workspace was backed up (if any)."""

    counts: dict[str, int]
    backup: Path | None


def check_import(data: Any, clock: Clock | None = None) -> CheckedImport:
    """Validate a parsed export completely, against the clock's now (no timer may have
    started later); returns the rows ready to insert."""
    if not isinstance(data, dict):
        raise _fail("file", "the top level must be a JSON object from `tpm export`")
    if data.get("format") != FORMAT:
        raise _fail("file", f"not a tpm export (format is {data.get('format')!r:.40})")
    if data.get("version") != VERSION:
        raise _fail("file", f"export version {data.get('version')!r:.20} is not {VERSION}")
    rows = _parse_rows(data)
    _check_references(rows, (clock or Clock()).now())
    _check_imported_keys(rows)
    return CheckedImport(rows)


def _check_imported_keys(rows: dict[str, list[dict[str, Any]]]) -> None:
    """One item per key of each source, one entry per calendar event and person (as the
    unique indexes of `tpm import --from` and `tpm meetings` require)."""
    keys: dict[tuple[Any, Any], int] = {}
    for i, it in enumerate(rows["items"]):
        if it["source"] is not None and it["source_key"] is not None:
            key = (it["source"], it["source_key"])
            if key in keys:
                raise _fail(f"items[{i}] (#{it['id']})", f"key {key[1]!r} is also #{keys[key]}'s")
            keys[key] = it["id"]
    events: set[Any] = set()
    for i, e in enumerate(rows["time_entries"]):
        if e["external_id"] is not None:
            event = (e["person"], e["external_id"])  # once per person: meetings are shared
            if event in events:
                raise _fail(f"time_entries[{i}] (#{e['id']})", "its calendar event is logged twice")
            events.add(event)


def import_workspace(
    db: Database,
    data: Any,
    *,
    replace: bool = False,
    clock: Clock | None = None,
    backup: bool = True,
) -> ImportResult:
    """Restore an export (checked first, against `clock`, the system clock if None):
    into an empty workspace, or over a non-empty one with `replace`. The write lock is
    taken first; a SQLite workspace being replaced is backed up from inside that lock
    (unless `backup` is False), then replaced in the same transaction: every write
    made before is in the backup, every write after waits and lands on the result."""
    checked = data if isinstance(data, CheckedImport) else check_import(data, clock)
    rows = _owned(db, checked.rows)
    saved: Path | None = None
    with db.orm_write() as session:
        session.execute(defer_foreign_keys())
        if _has_content(session):
            if not replace:
                raise Conflict(
                    "the workspace is not empty: import --replace replaces it (a backup is "
                    "taken first), or use another --db"
                )
            if backup and db.is_sqlite:
                driver = session.connection().connection.driver_connection
                saved = db.backup(reason="before-import", connection=driver)
        for _name, model in reversed(SECTIONS):
            session.execute(sa.delete(_table(model)))
        items = sorted(rows["items"], key=lambda it: Kind(it["kind"]).level)
        for name, model in SECTIONS:
            batch = items if name == "items" else rows[name]
            if batch:
                session.execute(sa.insert(_table(model)), batch)
        if "backfill" in rows:
            from tpm_tui.sql.statements import built

            for step in ("created", "done", "archived"):
                session.execute(built(f"events_backfill_{step}"))
        for _name, model in SECTIONS:  # new rows get ids after the imported ones
            if "id" in _table(model).c:
                session.execute(ids_follow_rows(_table(model)))
    return ImportResult({name: len(rows[name]) for name, _model in SECTIONS}, saved)


def _owned(db: Database, rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The rows to write: on a team database, hours without a person (a SQLite
    workspace's) become the importer's; a SQLite file keeps every name as given (it is
    one person's workspace and shows every entry)."""
    if db.is_sqlite or not db.person:
        return rows
    entries = [e if e["person"] else {**e, "person": db.person} for e in rows["time_entries"]]
    return {**rows, "time_entries": entries}
