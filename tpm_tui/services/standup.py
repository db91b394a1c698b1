"""The daily stand-up, per owner: what was done since the last working day, what is in
progress, what is blocked (waiting for an item still open) and what is stale (in
progress with no change for three working days), read from the items' history.

In progress means in a column that is neither the first one (the backlog), nor `todo`,
nor a done column."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.services import backlog
from tpm_tui.services.backlog import ColumnView, ItemView
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text

STALE_AFTER = 3  # working days without a change
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class OwnerStandup:
    """One person's lines."""

    owner: str
    done: tuple[ItemView, ...]
    in_progress: tuple[ItemView, ...]
    blocked: tuple[tuple[ItemView, tuple[ItemView, ...]], ...]  # item, its open blockers
    stale: tuple[tuple[ItemView, date], ...]  # item, the day of its last change


@dataclass(frozen=True)
class Standup:
    """The stand-up of a day."""

    day: date
    since: date
    people: tuple[OwnerStandup, ...]


def working_days_back(day: date, count: int) -> date:
    """The working day (Monday to Friday) `count` working days before `day`."""
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def in_progress_keys(columns: list[ColumnView]) -> set[str]:
    """The columns that count as work in progress."""
    first = columns[0].key if columns else None
    return {c.key for c in columns if not c.is_done and c.key not in (first, "todo")}


def standup(db: Database, clock: Clock, day: date | None = None) -> Standup:
    """The stand-up of `day` (today by default)."""
    day = day or clock.today()
    since = working_days_back(day, 1)
    start, end = clock.day_bounds(since, (day - since).days + 1)
    stale_before = clock.day_bounds(working_days_back(day, STALE_AFTER))[0]
    columns = backlog.list_columns(db)
    done_keys = {c.key for c in columns if c.is_done}
    active = in_progress_keys(columns)
    items = {i.id: i for i in backlog.list_items(db, kinds=backlog.LEAF_KINDS, archived=None)}
    waits = backlog.dependencies(db)
    everything = {i.id: i for i in backlog.list_items(db, archived=None)}
    with db.read() as ex:
        done_ids = [int(i) for i, _at in ex.rows(q.items_done_between, start=start, end=end)]
        if day < clock.today():
            # A past day's stand-up: each item as its history has it at the day's end
            # (made later: not there at all).
            then = {int(r[0]): r for r in ex.rows(q.items_state_before, until=end)}
            items = _as_then(items, then)
            everything = _as_then(everything, then)
            last = {i: r[1] for i, r in then.items()}
        working = [i for i in items.values() if i.status in active and not i.archived]
        if day >= clock.today():
            last = {
                int(i): at for i, at in ex.rows(q.items_last_change, ids=[w.id for w in working])
            }

    def is_open(item: ItemView | None) -> bool:
        return item is not None and not item.archived and item.status not in done_keys

    first = columns[0].key if columns else None
    people: dict[str, _Lines] = {}

    def lines(owner: str) -> _Lines:
        return people.setdefault(owner or NO_OWNER, _Lines())

    seen: set[int] = set()
    for item_id in done_ids:
        item = items.get(item_id)
        if item is not None and item_id not in seen and item.status in done_keys:
            seen.add(item_id)
            lines(item.owner).done.append(item)
    for item in working:
        lines(item.owner).in_progress.append(item)
        changed = last.get(item.id)
        if changed is not None and changed < stale_before:
            lines(item.owner).stale.append((item, clock.local(changed).date()))
    for item in items.values():
        if not is_open(item) or item.status == first:
            continue
        blockers = tuple(
            everything[b] for b in waits.get(item.id, []) if is_open(everything.get(b))
        )
        if blockers:
            lines(item.owner).blocked.append((item, blockers))
    order = sorted(people, key=lambda o: (o == NO_OWNER, o.lower()))
    return Standup(day, since, tuple(people[o].freeze(o) for o in order))


def _as_then(items: dict[int, ItemView], then: dict[int, tuple[Any, ...]]) -> dict[int, ItemView]:
    """The items that existed then, each in its column and archive state of then."""
    found = {}
    for item_id, item in items.items():
        if item_id in then:
            _id, changed, status, archived = then[item_id]
            found[item_id] = replace(item, status=status, archived_at=changed if archived else None)
    return found


@dataclass
class _Lines:
    """One person's lines while they are gathered."""

    done: list[ItemView] = field(default_factory=list)
    in_progress: list[ItemView] = field(default_factory=list)
    blocked: list[tuple[ItemView, tuple[ItemView, ...]]] = field(default_factory=list)
    stale: list[tuple[ItemView, date]] = field(default_factory=list)

    def freeze(self, owner: str) -> OwnerStandup:
        return OwnerStandup(
            owner, tuple(self.done), tuple(self.in_progress), tuple(self.blocked), tuple(self.stale)
        )


def _pts(item: ItemView) -> str:
    if item.points is None:
        return ""
    return f" ({item.points} pt{'s' if item.points != 1 else ''})"


def render(view: Standup, fmt: str = "text") -> str:
    """The stand-up as text for the terminal, or Markdown for a channel or a note."""
    md = fmt == "md"
    head = f"Stand-up {view.day:%a %d %b %Y} (done since {view.since:%a %d %b})"
    out = [f"## {head}" if md else head]
    if not view.people:
        out.append("")
        out.append("Nothing done, in progress or blocked.")
        return "\n".join(out) + "\n"
    # In Markdown, user text (names, titles) is escaped: shown as typed, never as markup.
    shown = markdown_text if md else str
    for person in view.people:
        out.append("")
        out.append(f"### {shown(person.owner)}" if md else person.owner)
        rows: list[tuple[str, str]] = []
        rows += [("done", f"#{i.id} {shown(i.title)}{_pts(i)}") for i in person.done]
        rows += [("in progress", f"#{i.id} {shown(i.title)}{_pts(i)}") for i in person.in_progress]
        rows += [
            (
                "blocked",
                f"#{i.id} {shown(i.title)} — waits for "
                + ", ".join(f"#{b.id} {shown(b.title)}" for b in blockers),
            )
            for i, blockers in person.blocked
        ]
        rows += [
            ("stale", f"#{i.id} {shown(i.title)} — no change since {when:%a %d %b}")
            for i, when in person.stale
        ]
        for label, text in rows:
            out.append(f"- **{label}:** {text}" if md else f"  {label:<12} {text}")
    return "\n".join(out) + "\n"
