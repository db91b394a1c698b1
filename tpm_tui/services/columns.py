"""The board's columns as settings: names, WIP limits, and columns added or removed
(only an empty one). The board shows a change at once (its change watcher reads it)."""

from __future__ import annotations

import re

from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import validate
from tpm_tui.services.backlog import ColumnView
from tpm_tui.services.backlog import columns_in as _columns
from tpm_tui.services.backlog import resolve_column as _resolve_column
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

WIP_MAX = 999
NAME_MAX = 60


def _name(text: str) -> str:
    return validate.title(text, "name", NAME_MAX)


def _store(ex: Executor, column: ColumnView) -> None:
    ex.run(
        q.column_update,
        row_key=column.key,
        name=column.name,
        position=column.position,
        wip_limit=column.wip_limit,
        is_done=column.is_done,
    )


def parse_wip(text: str) -> int | None:
    """A WIP limit: a whole number from 1 to 999, or `none` (no limit)."""
    raw = text.strip().lower()
    if raw in ("none", "-", "", "off"):
        return None
    number = validate.whole_number(raw)
    if number is None or not 1 <= number <= WIP_MAX:
        raise InvalidInput(f"a WIP limit is a number from 1 to {WIP_MAX}, or none", "wip")
    return number


def set_wip(db: Database, column: str, limit: int | None) -> ColumnView:
    """Set (or clear) a column's WIP limit."""
    with db.write() as ex:
        found = _resolve_column(ex, column)
        changed = ColumnView(found.key, found.name, found.position, limit, found.is_done)
        _store(ex, changed)
    return changed


def rename(db: Database, column: str, name: str) -> ColumnView:
    """Give a column another name (its key, which commands also take, stays)."""
    clean = _name(name)
    with db.write() as ex:
        found = _resolve_column(ex, column)
        if any(c.name.lower() == clean.lower() and c.key != found.key for c in _columns(ex)):
            raise InvalidInput(f"there is already a column named {clean!r}", "name")
        changed = ColumnView(found.key, clean, found.position, found.wip_limit, found.is_done)
        _store(ex, changed)
    return changed


def _key_for(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:36] or "column"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def add(
    db: Database,
    name: str,
    *,
    after: str | None = None,
    wip_limit: int | None = None,
    done: bool = False,
) -> ColumnView:
    """Add a column after another (by default before the first done column)."""
    clean = _name(name)
    with db.write() as ex:
        columns = _columns(ex)
        if any(c.name.lower() == clean.lower() for c in columns):
            raise InvalidInput(f"there is already a column named {clean!r}", "name")
        if after is not None:
            index = columns.index(_resolve_column(ex, after)) + 1
        else:
            index = next((i for i, c in enumerate(columns) if c.is_done), len(columns))
        key = _key_for(clean, {c.key for c in columns})
        # Shift the columns after it, from the last, so positions stay distinct.
        for position, column in reversed(list(enumerate(columns[index:], start=index + 2))):
            _store(
                ex,
                ColumnView(column.key, column.name, position, column.wip_limit, column.is_done),
            )
        added = ColumnView(key, clean, index + 1, wip_limit, done)
        ex.run(
            q.column_insert,
            key=key,
            name=clean,
            position=index + 1,
            wip_limit=wip_limit,
            is_done=done,
        )
    return added


def remove(db: Database, column: str) -> ColumnView:
    """Remove an empty column (archived items count: they keep their column)."""
    with db.write() as ex:
        columns = _columns(ex)
        found = _resolve_column(ex, column)
        held = int(ex.scalar(q.column_item_count, key=found.key))
        if held:
            raise InvalidInput(
                f"{found.name} holds {held} item{'s' if held != 1 else ''} (archived ones "
                "count): move them first",
                "column",
            )
        if len(columns) == 1:
            raise InvalidInput("the board needs a column", "column")
        if found.is_done and sum(c.is_done for c in columns) == 1:
            raise InvalidInput(
                f"{found.name} is the only done column: sprints count done points from it",
                "column",
            )
        ex.run(q.column_delete, key=found.key)
        for position, other in enumerate((c for c in columns if c.key != found.key), start=1):
            if other.position != position:
                _store(
                    ex, ColumnView(other.key, other.name, position, other.wip_limit, other.is_done)
                )
    return found
