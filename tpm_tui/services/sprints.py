"""Sprints as a ceremony: planning (what goes in, against the forecast and the
capacity), the burndown read from the items' history, and the close that records
the velocity and carries unfinished work over.

The sprint's *commitment* is what it holds at the end of its first day (the planning
day); what comes in later is *added*, what leaves (or is estimated lower) *removed*.
A closed sprint is read as it stood when it was closed."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.services import backlog, planning, progress, validate
from tpm_tui.services.backlog import ItemView
from tpm_tui.services.planning import SprintView
from tpm_tui.services.team import Capacity, capacity_in, learned_from
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor
from tpm_tui.sql.stmt import Stmt
from tpm_tui.text import counted

LENGTH_MAX = 366
RETRO_TEMPLATE = "\n".join(
    [
        "# Retro: {name}",
        "",
        "{summary}",
        "",
        "## Went well",
        "",
        "- ",
        "",
        "## To improve",
        "",
        "- ",
        "",
        "## Actions",
        "",
        "- [ ] ",
        "",
    ]
)


@dataclass(frozen=True)
class BurndownDay:
    """One day of a sprint: points left at its end against the ideal line, and the
    scope that came in or left that day after the commitment."""

    day: date
    remaining: int
    ideal: float
    added: int = 0
    removed: int = 0


@dataclass(frozen=True)
class SprintReport:
    """A sprint's figures: commitment, scope changes, progress, forecast, capacity."""

    sprint: SprintView
    forecast: int | None
    capacity: Capacity
    committed: int
    added: int
    removed: int
    done: int
    remaining: int
    burndown: tuple[BurndownDay, ...]
    items: tuple[ItemView, ...]

    @property
    def scope(self) -> int:
        """The points in the sprint now (or when it was closed)."""
        return self.done + self.remaining

    @property
    def over_capacity(self) -> int:
        """Points planned beyond the capacity (0 when within it or unknown)."""
        cap = self.capacity.points
        return max(0, self.scope - cap) if cap is not None else 0


@dataclass(frozen=True)
class Review:
    """What closing a sprint recorded and moved."""

    report: SprintReport
    carried: tuple[tuple[ItemView, str], ...]  # each unfinished item and where it went

    @property
    def carried_points(self) -> int:
        """The points of the unfinished items."""
        return sum(item.points or 0 for item, _where in self.carried)


# ---------------------------------------------------------------- reading


def _sprints(ex: Executor) -> list[SprintView]:
    return [SprintView(*row) for row in ex.rows(q.sprints_all)]


def _sprint(ex: Executor, sprint_id: int) -> SprintView:
    row = ex.row(q.sprint_row, id=sprint_id)
    if row is None:
        raise NotFound(f"no sprint #{sprint_id}: `tpm sprint list` shows them", "sprint_id")
    return SprintView(*row)


def forecast_for(sprints: Sequence[SprintView], sprint: SprintView) -> int | None:
    """The average velocity of the last three sprints closed before it (None: none)."""
    past = learned_from(sprints, sprint)
    if not past:
        return None
    return int(sum(s.velocity or 0 for s in past) / len(past) + 0.5)


def default_sprint(sprints: Sequence[SprintView], today: date) -> SprintView | None:
    """The sprint a screen opens on: the running one, else the next planned, else the
    latest."""
    open_ones = [s for s in sprints if not s.closed]
    running = [s for s in open_ones if s.start_date <= today <= s.end_date]
    if running:
        return running[-1]
    planned = [s for s in open_ones if s.start_date > today]
    if planned:
        return planned[0]
    return sprints[-1] if sprints else None


def burn(
    changes: Iterable[tuple[datetime, int, int]], sprint: SprintView, clock: Clock, until: datetime
) -> tuple[int, int, int, int, int, tuple[BurndownDay, ...]]:
    """From the scope and remaining deltas of a sprint (time order) up to `until`:
    committed, added, removed, done, remaining, and the days from its start to its end
    or `until`'s day, whichever comes first."""
    steps = [(at.astimezone(UTC), scope, rest) for at, scope, rest in changes]
    limit = until.astimezone(UTC) + timedelta(microseconds=1)  # `until` itself counts
    commit_at = min(clock.day_bounds(sprint.start_date)[1], limit)

    def at_moment(moment: datetime) -> tuple[int, int]:
        return progress.points_at(steps, moment)

    committed = at_moment(commit_at)[0]
    scope_now, remaining = at_moment(limit)
    added = sum(d for at, d, _r in steps if commit_at <= at < limit and d > 0)
    removed = -sum(d for at, d, _r in steps if commit_at <= at < limit and d < 0)
    last = min(sprint.end_date, clock.local(until).date())
    ideals = ideal_line(sprint, committed)
    days: list[BurndownDay] = []
    day = sprint.start_date
    while day <= last:
        start, end = clock.day_bounds(day)
        left = at_moment(min(end, limit))[1]
        ideal = ideals[(day - sprint.start_date).days]
        change = [d for at, d, _r in steps if max(start, commit_at) <= at < min(end, limit)]
        days.append(
            BurndownDay(
                day, left, ideal, sum(d for d in change if d > 0), -sum(d for d in change if d < 0)
            )
        )
        day += timedelta(days=1)
    return committed, added, removed, scope_now - remaining, remaining, tuple(days)


def ideal_line(sprint: SprintView, committed: int) -> tuple[float, ...]:
    """The ideal remaining points at the end of each day of the sprint: the commitment
    falls evenly over its weekdays (flat at weekends), to 0 on its last day."""
    every = [sprint.start_date + timedelta(days=i) for i in range(sprint.days)]
    counted = [d for d in every if d.weekday() < 5] or every  # a weekend-only sprint
    return tuple(
        round(committed * (1 - sum(1 for c in counted if c <= d) / len(counted)), 1) for d in every
    )


def _report(ex: Executor, clock: Clock, sprint: SprintView) -> SprintReport:
    sprints = _sprints(ex)
    changes = [
        (at, int(scope), int(rest))
        for _item, at, scope, rest in ex.rows(q.sprint_scope_changes, sprint_id=sprint.id)
    ]
    until = sprint.closed_at or clock.now()
    committed, added, removed, done, remaining, days = burn(changes, sprint, clock, until)
    items = tuple(backlog.view(row) for row in ex.rows(q.sprint_items, sprint_id=sprint.id))
    return SprintReport(
        sprint,
        forecast_for(sprints, sprint),
        capacity_in(ex, sprints, sprint),
        committed,
        added,
        removed,
        done,
        remaining,
        days,
        items,
    )


def sprint_report(db: Database, clock: Clock, sprint_id: int) -> SprintReport:
    """A sprint's figures, as of now (or its close)."""
    with db.read() as ex:
        return _report(ex, clock, _sprint(ex, sprint_id))


def velocities(db: Database) -> list[SprintView]:
    """The closed sprints with their velocity, earliest first."""
    return [s for s in planning.list_sprints(db) if s.closed and s.velocity is not None]


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Planning:
    """What the sprint screen shows for one sprint."""

    sprints: tuple[SprintView, ...]
    report: SprintReport
    candidates: tuple[ItemView, ...]


class KnownItems:
    """The backlog's rows as read last, each with the ItemView made of it, for a reader
    that reads the backlog again and again (the sprint screen): a row found unchanged
    keeps its view, so only changed rows are converted (thousands of dates and times
    otherwise), and a list comparing views by identity sees it as drawn already."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[tuple[Any, ...], ItemView]] = {}

    def read(self, ex: Executor, stmt: Stmt, /, **params: Any) -> tuple[ItemView, ...]:
        """The items of a query of ItemView rows (`q.backlog_candidates`), in its order."""
        known, seen = self._rows, {}
        views = []
        for raw in ex.raw_rows(stmt, **params):
            item_id = raw[0]
            before = known.get(item_id)
            if before is not None and before[0] == raw:
                view = before[1]
            else:
                view = backlog.view(ex.converted(stmt, raw))
            seen[item_id] = (raw, view)
            views.append(view)
        self._rows = seen  # (replaced whole: a read in another thread sees one or the other)
        return tuple(views)


def _backlog(ex: Executor, known: KnownItems | None) -> tuple[ItemView, ...]:
    if known is not None:
        return known.read(ex, q.backlog_candidates)
    return tuple(backlog.view(row) for row in ex.rows(q.backlog_candidates))


def load_planning(
    db: Database,
    clock: Clock,
    sprint_id: int | None,
    candidates: tuple[ItemView, ...] | None = None,
    touched: Sequence[int] = (),
    known: KnownItems | None = None,
) -> Planning | None:
    """A sprint (the default one if None) with the backlog it can take from; None when
    there is no sprint at all. `candidates`: that backlog as read before, when the
    caller knows nothing changed since (it is the same for every sprint) but the items
    `touched` (its own writes: taken out of a sprint, made): those are read alone and
    put in their place, or left out (the rest of the backlog is not read again).
    `known`: the backlog's rows read before (when it is read whole, only changed rows
    are converted)."""
    with db.read() as ex:
        sprints = _sprints(ex)
        if sprint_id is None:
            chosen = default_sprint(sprints, clock.today())
            if chosen is None:
                return None
            sprint_id = chosen.id
        report = _report(ex, clock, _sprint(ex, sprint_id))
        if candidates is None:
            candidates = _backlog(ex, known)
        elif touched:
            candidates = _with_touched(ex, candidates, touched, known)
    return Planning(tuple(sprints), report, candidates)


def _with_touched(
    ex: Executor, candidates: tuple[ItemView, ...], ids: Sequence[int], known: KnownItems | None
) -> tuple[ItemView, ...]:
    """The backlog `candidates` with the items `ids` as they are now, in board order
    (column, rank, id), each only if a sprint can take it (so not if it went into a
    sprint, into a done column, or the archive)."""
    position = {column.key: column.position for column in backlog.columns_in(ex)}
    gone = set(ids)
    kept = [item for item in candidates if item.id not in gone]
    if any(item.status not in position for item in kept):  # a column went meanwhile
        return _backlog(ex, known)
    back = [backlog.view(row) for row in ex.rows(q.backlog_candidates_among, ids=list(ids))]
    # Both lists are in board order already: a merge, not a sort of the whole backlog.
    return tuple(
        heapq.merge(kept, back, key=lambda item: (position[item.status], item.rank, item.id))
    )


def add_items(db: Database, clock: Clock, sprint_id: int, ids: Sequence[int]) -> list[ItemView]:
    """Put items into a sprint that is not closed (in one transaction)."""
    now = clock.now()
    with db.write() as ex:
        sprint = _sprint(ex, sprint_id)
        if sprint.closed:
            raise InvalidInput(f"{sprint.name} is closed: plan the next one", "sprint_id")
        return [backlog.set_sprint(ex, item_id, sprint.id, now) for item_id in ids]


def remove_items(db: Database, clock: Clock, sprint_id: int, ids: Sequence[int]) -> list[ItemView]:
    """Take items out of a sprint, back to the backlog (in one transaction)."""
    now = clock.now()
    with db.write() as ex:
        sprint = _sprint(ex, sprint_id)
        out = []
        for item_id in ids:
            item = backlog.fetch(ex, item_id)
            if item.sprint_id != sprint.id:
                raise InvalidInput(f"#{item_id} is not in {sprint.name}", "id")
            out.append(backlog.set_sprint(ex, item_id, None, now))
        return out


# ---------------------------------------------------------------- creating, editing

_LENGTH = re.compile(r"^\s*(\d{1,3})\s*([wd]?)\s*$", re.IGNORECASE)


def parse_length(text: str) -> int:
    """`2w`, `10d` or `14` (days) as a number of days."""
    match = _LENGTH.match(text)
    if match is None:
        raise InvalidInput(f"length {text!r}: use 2w, 10d or a number of days", "length")
    days = int(match[1]) * (7 if match[2].lower() == "w" else 1)
    if not 1 <= days <= LENGTH_MAX:
        raise InvalidInput(f"a sprint lasts from 1 to {LENGTH_MAX} days", "length")
    return days


def end_of(start: date, end: date | None, length: str | None) -> date:
    """The last day from --end or --length (exactly one of them)."""
    if (end is None) == (length is None):
        raise InvalidInput("give the sprint's --end DATE or its --length (2w)", "end_date")
    if end is not None:
        return end
    assert length is not None
    return start + timedelta(days=parse_length(length) - 1)


def edit_sprint(db: Database, sprint_id: int, **changes: Any) -> SprintView:
    """Change a sprint's name, dates, goal or capacity (dates may not overlap another's)."""
    allowed = {"name", "start_date", "end_date", "goal", "capacity"}
    if set(changes) - allowed:
        raise InvalidInput(f"cannot edit {', '.join(sorted(set(changes) - allowed))}")
    with db.write() as ex:
        row = ex.record(q.sprint_row, id=sprint_id)
        if row is None:
            raise NotFound(f"no sprint #{sprint_id}", "sprint_id")
        if "name" in changes:
            clean = planning.sprint_name(changes["name"])
            other = ex.scalar(q.sprint_id_by_name, name=clean.lower())
            if other is not None and other != sprint_id:
                raise InvalidInput(f"there is already a sprint named {clean!r}", "name")
            row["name"] = clean
        for name in ("start_date", "end_date"):
            if name in changes:
                row[name] = validate.day(changes[name], name)
        validate.date_range(row["start_date"], row["end_date"], "start_date", "end_date")
        if "goal" in changes:
            row["goal"] = validate.block(changes["goal"], "goal")
        if "capacity" in changes:
            row["capacity"] = planning.check_capacity(changes["capacity"])
        if "start_date" in changes or "end_date" in changes:
            planning.check_free(ex, row["start_date"], row["end_date"], but=sprint_id)
        fields = {k: v for k, v in row.items() if k != "id"}
        ex.run(q.sprint_update, row_id=sprint_id, **fields)
        return _sprint(ex, sprint_id)


def save_retro(db: Database, sprint_id: int, text: str) -> SprintView:
    """Store a sprint's retro note (Markdown)."""
    note = validate.block(text, "retro")
    with db.write() as ex:
        row = ex.record(q.sprint_row, id=sprint_id)
        if row is None:
            raise NotFound(f"no sprint #{sprint_id}", "sprint_id")
        row["retro"] = note
        ex.run(q.sprint_update, row_id=sprint_id, **{k: v for k, v in row.items() if k != "id"})
        return _sprint(ex, sprint_id)


def retro_text(report: SprintReport) -> str:
    """The sprint's retro note, or the template to start one (with the review's figures)."""
    if report.sprint.retro.strip():
        return report.sprint.retro
    return RETRO_TEMPLATE.format(name=report.sprint.name, summary=summary_line(report))


def summary_line(report: SprintReport) -> str:
    """`Committed 21 · added 3 · removed 2 · done 18 · carried over 4`."""
    velocity = f" · velocity {report.sprint.velocity}" if report.sprint.closed else ""
    return (
        f"Committed {report.committed} · added {report.added} · removed {report.removed} · "
        f"done {report.done} · left {report.remaining}{velocity} (points)"
    )


_ACTION = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\[[ xX]?\])?\s*(.*?)\s*$")
_MADE = re.compile(r"\(#\d+\)\s*$")
_TICKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[[xX]\]")


def action_title(line: str) -> str | None:
    """The title a retro's action line makes (`- [ ] Fix the flaky test` → `Fix the
    flaky test`); None for a heading, an empty line, a ticked action (done already),
    or one already made an item (`why_no_action` says which)."""
    if why_no_action(line) is not None:
        return None
    match = _ACTION.match(line)
    return (match[1] if match else "")[: validate.TITLE_MAX] or None


def why_no_action(line: str) -> str | None:
    """Why a retro line makes no backlog item, or None when it makes one."""
    made = _MADE.search(line)
    if made:
        return f"This action is backlog item {made[0].strip(' ()')} already"
    if _TICKED.match(line):
        return "This action is ticked done: it makes no backlog item"
    match = _ACTION.match(line)
    if line.lstrip().startswith("#") or not (match and match[1]):
        return "Put the cursor on an action line (- [ ] …) first"
    return None


# ---------------------------------------------------------------- closing


def next_sprint(sprints: Sequence[SprintView], sprint: SprintView) -> SprintView | None:
    """The first open sprint starting after `sprint`."""
    later = [s for s in sprints if not s.closed and s.start_date > sprint.start_date]
    return later[0] if later else None


def why_not_close(sprint: SprintView, clock: Clock) -> str | None:
    """Why `sprint` cannot be closed now (closed already, or not started), or None."""
    if sprint.closed_at is not None:
        return f"{sprint.name} was closed on {clock.local(sprint.closed_at):%Y-%m-%d %H:%M}"
    if clock.today() < sprint.start_date:
        return f"{sprint.name} has not started (it starts {sprint.start_date})"
    return None


def close_sprint(
    db: Database,
    clock: Clock,
    sprint_id: int,
    carry_to: int | None,
    per_item: Mapping[int, int | None] | None = None,
) -> Review:
    """Close a sprint: record its velocity (the done points), move each unfinished item
    to `carry_to` (a sprint id, None for the backlog) or to where `per_item` says, in
    one transaction. A sprint closes once; one not started yet does not."""
    now = clock.now()
    with db.write() as ex:
        sprint = _sprint(ex, sprint_id)
        refusal = why_not_close(sprint, clock)
        if refusal is not None:
            raise InvalidInput(refusal, "sprint_id")
        targets: dict[int | None, str] = {None: "backlog"}
        for target in {carry_to, *(per_item or {}).values()} - {None}:
            assert target is not None
            other = _sprint(ex, target)
            if other.closed or other.id == sprint.id:
                raise InvalidInput(
                    f"carry over to an open sprint other than {sprint.name}", "carry_to"
                )
            targets[other.id] = other.name
        row = ex.record(q.sprint_row, id=sprint_id)
        assert row is not None
        report = _report(ex, clock, replace(sprint, closed_at=now))
        carried = []
        # The carry-over comes just after the close, so the sprint read later stands as
        # it was closed (its figures count every change up to and including `now`).
        after = now + timedelta(microseconds=1)
        for item in report.items:
            if item.done_at is not None:
                continue
            target = (per_item or {}).get(item.id, carry_to)
            carried.append((backlog.set_sprint(ex, item.id, target, after), targets[target]))
        row.update(closed_at=now, velocity=report.done)
        ex.run(q.sprint_update, row_id=sprint_id, **{k: v for k, v in row.items() if k != "id"})
        closed = _sprint(ex, sprint_id)
    return Review(replace(report, sprint=closed), tuple(carried))


# ---------------------------------------------------------------- output


def report_dict(report: SprintReport) -> dict[str, Any]:
    """`tpm sprint show --format json` (keys stable)."""
    s = report.sprint
    return {
        "name": s.name,
        "start": s.start_date.isoformat(),
        "end": s.end_date.isoformat(),
        "goal": s.goal,
        "capacity": report.capacity.points,
        "forecast": report.forecast,
        "committed_points": report.committed,
        "added_points": report.added,
        "removed_points": report.removed,
        "done_points": report.done,
        "remaining_points": report.remaining,
        "burndown": [
            {"date": d.day.isoformat(), "remaining": d.remaining, "ideal": d.ideal}
            for d in report.burndown
        ],
        "items": [
            {
                "id": i.id,
                "title": i.title,
                "kind": i.kind.value,
                "points": i.points,
                "status": i.status,
            }
            for i in report.items
        ],
    }


def _md(text: str) -> str:
    """User text safe inside a Markdown table cell or line."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace("`", "\\`")
        .replace("[", "\\[")
    )


def render_report(report: SprintReport, columns: Mapping[str, str], fmt: str, today: date) -> str:
    """A sprint as a table (the terminal) or Markdown (a status update)."""
    s = report.sprint
    state = s.state(today)
    cap = report.capacity.points
    over = f" — {report.over_capacity} over capacity" if report.over_capacity else ""
    lines: list[str] = []
    if fmt == "md":
        lines += [f"## {_md(s.name)} ({s.dates()}, {state})", ""]
        if s.goal:
            lines += [f"**Goal:** {_md(s.goal)}", ""]
        lines += [
            "| committed | added | removed | done | remaining | forecast | capacity |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {report.committed} | {report.added} | {report.removed} | {report.done} | "
            f"{report.remaining} | {_or_dash(report.forecast)} | {_or_dash(cap)} |",
            "",
            "| # | item | kind | points | column |",
            "|---:|---|---|---:|---|",
        ]
        for i in report.items:
            lines.append(
                f"| {i.id} | {_md(i.title)} | {i.kind.value} | {_or_dash(i.points)} | "
                f"{_md(columns.get(i.status, i.status))} |"
            )
        return "\n".join(lines) + "\n"
    lines.append(f"{s.name}  {s.dates()}  ({state}{_days_left(s, today)})")
    if s.goal:
        lines.append(f"goal: {s.goal}")
    lines.append(
        f"committed {report.committed} · added {report.added} · removed {report.removed} · "
        f"done {report.done} · remaining {report.remaining} (points)"
    )
    lines.append(
        f"forecast {_or_dash(report.forecast)} · capacity {_or_dash(cap)}"
        + (" (set by hand)" if report.capacity.manual else "")
        + over
    )
    if report.burndown:
        lines.append("day         remaining  ideal")
        for d in report.burndown:
            mark = f"  +{d.added} added" if d.added else ""
            mark += f"  −{d.removed} removed" if d.removed else ""
            lines.append(f"{d.day:%a %d %b}  {d.remaining:>9}  {d.ideal:>5}{mark}")
    lines.append(f"{counted(len(report.items), 'item')}:")
    for i in report.items:
        pts = "-" if i.points is None else str(i.points)
        title = i.title if len(i.title) <= 50 else i.title[:49] + "…"
        lines.append(
            f"{'#' + str(i.id):>6}  {i.kind.value:<6} {pts:>3}  "
            f"{columns.get(i.status, i.status)[:12]:<12} {title}"
        )
    return "\n".join(lines) + "\n"


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def _days_left(s: SprintView, today: date) -> str:
    return f", {s.days_left(today)}d left" if s.state(today) == "running" else ""


def render_review(review: Review, fmt: str) -> str:
    """What `tpm sprint close` prints: the review and where the unfinished items went."""
    r = review.report
    s = r.sprint
    if fmt == "md":
        lines = [
            f"## Review: {_md(s.name)} ({s.dates()})",
            "",
            "| committed | added | removed | done (velocity) | carried over |",
            "|---:|---:|---:|---:|---:|",
            f"| {r.committed} | {r.added} | {r.removed} | {r.done} | {review.carried_points} |",
        ]
        if review.carried:
            lines += ["", "Carried over:", ""]
            lines += [
                f"- #{item.id} {_md(item.title)} ({_or_dash(item.points)} pts) → {_md(where)}"
                for item, where in review.carried
            ]
        return "\n".join(lines) + "\n"
    lines = [
        f"closed {s.name}: velocity {r.done} (done points)",
        f"committed {r.committed} · added {r.added} · removed {r.removed} · done {r.done} · "
        f"carried over {review.carried_points} (points)",
    ]
    lines += [
        f"  #{item.id} {item.title} ({_or_dash(item.points)} pts) → {where}"
        for item, where in review.carried
    ]
    return "\n".join(lines) + "\n"
