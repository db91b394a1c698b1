"""The history of items: one event per change of an item's column, points, sprint or
archive (and its creation), written by the backlog's services in the transaction of
the change itself, so the CLI and the TUI leave the same trail. Burndowns, scope
changes and stand-ups read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

# The stored fields an event follows, and the word each change is recorded under.
TRACKED = (("status", "status"), ("points", "points"), ("sprint_id", "sprint"))


def _state(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["status"],
        row["done_at"] is not None,
        row["points"],
        row["sprint_id"],
        row["archived_at"] is not None,
    )


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What changed between two stored rows of an item, as the event names it."""
    if before is None:
        return ["created"]
    words = [
        word
        for field, word in TRACKED
        if before[field] != after[field]
        or (field == "status" and (before["done_at"] is None) != (after["done_at"] is None))
    ]
    if (before["archived_at"] is None) != (after["archived_at"] is None):
        words.append("archived" if after["archived_at"] is not None else "restored")
    return words


def event(
    before: dict[str, Any] | None, after: dict[str, Any], at: datetime
) -> dict[str, Any] | None:
    """The event row of a change (None when no followed field changed)."""
    words = changes(before, after)
    if not words:
        return None
    status, done, points, sprint_id, archived = _state(after)
    return {
        "item_id": after["id"],
        "at": at,
        "change": ",".join(words),
        "status": status,
        "done": done,
        "points": points,
        "sprint_id": sprint_id,
        "archived": archived,
    }


def record(
    ex: Executor, before: dict[str, Any] | None, after: dict[str, Any], at: datetime
) -> None:
    """Write the event of a change (nothing when no followed field changed)."""
    row = event(before, after, at)
    if row is not None:
        ex.run(q.event_insert, **row)


def record_all(ex: Executor, rows: list[dict[str, Any] | None]) -> None:
    """Write many events at once (a bulk import's), skipping the None of no change."""
    ex.many(q.event_insert, [row for row in rows if row is not None])
