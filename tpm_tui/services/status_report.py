"""Friday's status report: one Markdown page (or JSON) for a week — a headline of the
sprint's and the goals' progress, what reached done, the roadmap and the dates that
moved, the risks, what comes in the next seven days, and where the time went.
Deterministic given the data and the clock: every figure comes from one named query."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.dates import week_label, week_start
from tpm_tui.db import Database
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog, goals, planning, reports
from tpm_tui.services.goals import GoalView
from tpm_tui.services.roadmap import RoadmapRow, load_roadmap
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text
from tpm_tui.timescale import Status

STALE_WORKING_DAYS = 3
"""An item in a started column with no change for this many working days is stale."""
NEXT_DAYS = 7
FORMATS = ("md", "json")


@dataclass(frozen=True)
class SprintProgress:
    """The sprint running on the report's day, with its points."""

    name: str
    start: date
    end: date
    committed: int
    done: int
    days_left: int

    @property
    def percent(self) -> int:
        """Done share of the committed points."""
        return round(100 * self.done / self.committed) if self.committed else 0


@dataclass(frozen=True)
class DoneItem:
    """An item that reached a done column in the week."""

    id: int
    kind: Kind
    title: str
    points: int | None
    epic_id: int | None
    epic_title: str | None
    done_at: datetime


@dataclass(frozen=True)
class DateMove:
    """An item's start or target date that moved in the week: first old → last new."""

    item_id: int
    kind: Kind
    title: str
    field: str
    old: date | None
    new: date | None


@dataclass(frozen=True)
class Blocked:
    """An open item waiting for an open item."""

    id: int
    kind: Kind
    title: str
    blocker_id: int
    blocker_title: str
    blocker_column: str


@dataclass(frozen=True)
class OverWip:
    """A column holding more cards than its WIP limit."""

    column: str
    count: int
    limit: int


@dataclass(frozen=True)
class Stale:
    """An item in a started column, unchanged for STALE_WORKING_DAYS working days."""

    id: int
    kind: Kind
    title: str
    owner: str
    column: str
    since: date


@dataclass(frozen=True)
class Upcoming:
    """A milestone or a sprint's end in the next seven days."""

    day: date
    what: str  # "milestone" or "sprint_end"
    title: str


@dataclass(frozen=True)
class StatusReport:
    """Everything the report says about one week, as of `as_of`."""

    start: date
    as_of: date
    sprint: SprintProgress | None
    goals: list[GoalView]
    done: list[DoneItem]
    epics: list[RoadmapRow]
    moved: list[DateMove]
    at_risk: list[RoadmapRow]
    late: list[RoadmapRow]
    blocked: list[Blocked]
    over_wip: list[OverWip]
    stale: list[Stale]
    upcoming: list[Upcoming]
    time: reports.WeekReport
    time_items: list[reports.ItemTime]

    @property
    def label(self) -> str:
        """`2026-W48`."""
        return week_label(self.start)

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)


# ---------------------------------------------------------------- the queries


def done_between(db: Database, start: datetime, end: datetime) -> list[DoneItem]:
    """Items that came into a done column in [start, end) (the item history says when)
    and are still done, in the order they got there (the last arrival if twice)."""
    with db.read() as ex:
        arrived: dict[int, datetime] = {}
        for item_id, at in ex.rows(q.items_done_between, start=start, end=end):
            arrived[int(item_id)] = at
        rows = ex.rows(q.done_items_described, ids=list(arrived)) if arrived else []
    done = [
        DoneItem(int(i), Kind(kind), title, points, epic_id, epic_title, arrived[int(i)])
        for i, kind, title, points, epic_id, epic_title in rows
    ]
    return sorted(done, key=lambda d: (d.done_at, d.id))


def dates_moved(db: Database, start: datetime, end: datetime) -> list[DateMove]:
    """The roadmap's items (epics and features) whose start or target date changed in
    [start, end): each date's value before its first change and after its last; a date
    moved and moved back is left out."""
    with db.read() as ex:
        rows = ex.rows(q.date_changes_between, start=start, end=end)
    first: dict[tuple[int, str], DateMove] = {}
    for _id, item_id, kind, title, field, old, new, _at in rows:
        if Kind(kind).level > 1:
            continue
        key = (int(item_id), field)
        before = first[key].old if key in first else old
        first[key] = DateMove(int(item_id), Kind(kind), title, field, before, new)
    return sorted((m for m in first.values() if m.old != m.new), key=lambda m: (m.item_id, m.field))


def blocked_items(db: Database) -> list[Blocked]:
    """Open items waiting for open items."""
    with db.read() as ex:
        rows = ex.rows(q.blocked_open_items)
    return [Blocked(int(i), Kind(k), t, int(b), bt, bc) for i, k, t, b, bt, bc in rows]


def over_wip(db: Database) -> list[OverWip]:
    """Columns holding more stories, bugs and debt than their WIP limit."""
    with db.read() as ex:
        rows = ex.rows(q.leaf_counts_by_column)
    return [
        OverWip(name, int(count), int(limit))
        for _key, name, _position, limit, _done, count in rows
        if limit is not None and count > limit
    ]


def working_days_back(day: date, days: int) -> date:
    """The working day (Monday to Friday) `days` working days before `day`."""
    while days > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def stale_items(db: Database, clock: Clock, as_of: date) -> list[Stale]:
    """Stories, bugs and debt in a started column (past the first two: Backlog and To
    Do by default; not done) with no change for STALE_WORKING_DAYS working days before
    `as_of`. "Change" is the item's last update (updated_at); the item history, once it
    exists, says it more precisely."""
    columns = backlog.list_columns(db)
    if len(columns) < 3:
        return []
    cutoff = working_days_back(as_of, STALE_WORKING_DAYS)
    before = clock.day_bounds(cutoff)[0]
    with db.read() as ex:
        rows = ex.rows(q.stale_started_items, after_position=columns[1].position, before=before)
    return [
        Stale(int(i), Kind(k), t, owner, column, clock.local(updated).date())
        for i, k, t, owner, column, updated in rows
    ]


def sprint_progress(db: Database, day: date) -> SprintProgress | None:
    """The sprint running on `day` with its committed and done points."""
    sprint = planning.current_sprint(db, day)
    if sprint is None:
        return None
    with db.read() as ex:
        committed, done = ex.row(q.sprint_points, sprint_id=sprint.id) or (0, 0)
    return SprintProgress(
        sprint.name,
        sprint.start_date,
        sprint.end_date,
        int(committed),
        int(done),
        sprint.days_left(day),
    )


def upcoming(db: Database, after: date, days: int = NEXT_DAYS) -> list[Upcoming]:
    """Milestones and sprint ends in the `days` days after `after`."""
    last = after + timedelta(days=days)
    out = [
        Upcoming(m.date, "milestone", m.title)
        for m in planning.list_milestones(db)
        if after < m.date <= last
    ]
    out += [
        Upcoming(s.end_date, "sprint_end", s.name)
        for s in planning.list_sprints(db)
        if after < s.end_date <= last
    ]
    return sorted(out, key=lambda u: (u.day, u.what, u.title))


# ---------------------------------------------------------------- the report


def report_day(clock: Clock, monday: date) -> date:
    """The day a week's report speaks as of: today within the week, else the week's
    nearest end (a past week's Sunday, a future week's Monday)."""
    return min(max(clock.today(), monday), monday + timedelta(days=6))


def status_report(db: Database, clock: Clock, day: date | None = None) -> StatusReport:
    """The report for the ISO week holding `day` (this week by default)."""
    monday = week_start(day or clock.today())
    as_of = report_day(clock, monday)
    start, end = clock.day_bounds(monday, 7)
    roadmap = load_roadmap(db, clock)
    goal_list = goals.goal_progress(db)
    time = reports.week_report(db, clock, monday)
    return StatusReport(
        start=monday,
        as_of=as_of,
        sprint=sprint_progress(db, as_of),
        goals=goal_list,
        done=[replace(d, done_at=clock.local(d.done_at)) for d in done_between(db, start, end)],
        epics=[r for r in roadmap.rows if r.depth == 0 and r.item.kind is Kind.EPIC],
        moved=dates_moved(db, start, end),
        at_risk=[r for r in roadmap.rows if r.status is Status.AT_RISK],
        late=[r for r in roadmap.rows if r.status is Status.LATE],
        blocked=blocked_items(db),
        over_wip=over_wip(db),
        stale=stale_items(db, clock, as_of),
        upcoming=upcoming(db, as_of),
        time=time,
        time_items=reports.top_items(db, clock, monday),
    )


# ---------------------------------------------------------------- Markdown


@cache
def _day(day: date) -> str:
    # Cached: a report names the same few days hundreds of times (every stale item),
    # and strftime is slow.
    return f"{day:%a} {day.day} {day:%b}"


def _span(start: date, end: date) -> str:
    return f"{start.day} {start:%b} – {end.day} {end:%b}"


def _pts(points: int | None) -> str:
    if points is None:
        return "not estimated"
    return f"{points} pt" if points == 1 else f"{points} pts"


def _item(kind: Kind, item_id: int, title: str) -> str:
    return f"{kind.value.capitalize()} #{item_id} {markdown_text(title)}"


def sprint_sentence(sprint: SprintProgress | None) -> str:
    """The sprint's progress in one sentence."""
    if sprint is None:
        return "No sprint is running."
    left = f"{sprint.days_left} day{'s' if sprint.days_left != 1 else ''} left"
    return (
        f"{markdown_text(sprint.name)} ({_span(sprint.start, sprint.end)}) has "
        f"{sprint.done} of {sprint.committed} points done ({sprint.percent} %), with {left}."
    )


def _percent(value: int | None) -> str:
    return "–" if value is None else f"{value} %"


def goals_sentence(goal_list: list[GoalView]) -> str:
    """Every active goal's outcome and output in one sentence."""
    if not goal_list:
        return "No goals yet (`tpm goal add` adds one)."
    parts = []
    for g in goal_list:
        part = (
            f"{g.label} {markdown_text(g.title)}: outcome {_percent(g.outcome_percent)}, "
            f"output {_percent(g.output_percent)}"
        )
        if g.output_ahead:
            part += " (its epics are done ahead of its numbers)"
        parts.append(part)
    return "; ".join(parts) + "."


def render_markdown(report: StatusReport) -> str:
    """The report as one Markdown page to paste into an update."""
    lines = [
        f"# Status, week {report.label} ({_day(report.start)} – {_day(report.end)} "
        f"{report.end.year})",
        "",
        f"**Sprint:** {sprint_sentence(report.sprint)}",
        "",
        f"**Goals:** {goals_sentence(report.goals)}",
        "",
        "## Done this week",
        "",
    ]
    if report.done:
        for d in report.done:
            epic = f", epic #{d.epic_id} {markdown_text(d.epic_title or '')}" if d.epic_id else ""
            points = f" ({_pts(d.points)})" if d.kind.level == 2 else ""
            lines.append(
                f"- {_item(d.kind, d.id, d.title)}{points}{epic} — {_day(d.done_at.date())}"
            )
    else:
        lines.append("Nothing reached done this week.")
    lines += ["", "## Roadmap", ""]
    if report.epics:
        lines += ["| Epic | Start | Target | Done | Status |", "|---|---|---|---:|---|"]
        for r in report.epics:
            item = r.item
            lines.append(
                f"| #{item.id} {markdown_text(item.title)} | {item.start_date or '–'} | "
                f"{item.target_date or '–'} | {r.done_percent} % | {r.status.value} |"
            )
    else:
        lines.append("No epics yet.")
    lines.append("")
    if report.moved:
        lines += ["Dates moved this week:", ""]
        for m in report.moved:
            what = "start" if m.field == "start_date" else "target"
            lines.append(
                f"- {_item(m.kind, m.item_id, m.title)}: {what} {m.old or 'none'} → "
                f"{m.new or 'none'}"
            )
    else:
        lines.append("No dates moved this week.")
    lines += ["", "## Risks", ""]
    risks = _risk_lines(report)
    lines += risks or ["Nothing at risk, late, blocked, over its WIP limit or stale."]
    first, last = report.as_of + timedelta(days=1), report.as_of + timedelta(days=NEXT_DAYS)
    lines += ["", f"## Next 7 days ({_day(first)} – {_day(last)})", ""]
    if report.upcoming:
        for u in report.upcoming:
            what = (
                f"milestone {markdown_text(u.title)}"
                if u.what == "milestone"
                else f"{markdown_text(u.title)} ends"
            )
            lines.append(f"- {_day(u.day)}: {what}")
    else:
        lines.append("No milestones or sprint ends.")
    lines += ["", reports.render_markdown(report.time, report.time_items).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _risk_lines(report: StatusReport) -> list[str]:
    out = []
    for r in report.at_risk:
        out.append(
            f"- At risk: {_item(r.item.kind, r.item.id, r.item.title)} — {r.done_percent} % "
            f"done, target {r.item.target_date}"
        )
    for r in report.late:
        out.append(
            f"- Late: {_item(r.item.kind, r.item.id, r.item.title)} — {r.done_percent} % "
            f"done, target {r.item.target_date}"
        )
    for b in report.blocked:
        out.append(
            f"- Blocked: {_item(b.kind, b.id, b.title)} waits for #{b.blocker_id} "
            f"{markdown_text(b.blocker_title)} ({markdown_text(b.blocker_column)})"
        )
    for w in report.over_wip:
        out.append(f"- Over WIP: {markdown_text(w.column)} holds {w.count} of {w.limit}")
    for s in report.stale:
        owner = f", @{markdown_text(s.owner)}" if s.owner else ""
        out.append(
            f"- Stale: {_item(s.kind, s.id, s.title)} — {markdown_text(s.column)}, "
            f"unchanged since {_day(s.since)}{owner}"
        )
    return out


# ---------------------------------------------------------------- JSON


def _row(r: RoadmapRow) -> dict[str, Any]:
    item = r.item
    return {
        "id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "start": item.start_date.isoformat() if item.start_date else None,
        "target": item.target_date.isoformat() if item.target_date else None,
        "done_percent": r.done_percent,
        "status": r.status.value,
    }


def to_dict(report: StatusReport) -> dict[str, Any]:
    """The report's JSON shape (keys stable; see the README)."""
    sprint = report.sprint
    return {
        "week": report.label,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "headline": {
            "sprint": sprint_sentence(sprint),
            "goals": goals_sentence(report.goals),
        },
        "sprint": None
        if sprint is None
        else {
            "name": sprint.name,
            "start": sprint.start.isoformat(),
            "end": sprint.end.isoformat(),
            "committed_points": sprint.committed,
            "done_points": sprint.done,
            "done_percent": sprint.percent,
            "days_left": sprint.days_left,
        },
        "goals": [
            {
                "id": g.id,
                "title": g.title,
                "outcome_percent": g.outcome_percent,
                "output_percent": g.output_percent,
                "output_ahead": g.output_ahead,
            }
            for g in report.goals
        ],
        "done": [
            {
                "id": d.id,
                "kind": d.kind.value,
                "title": d.title,
                "points": d.points,
                "epic_id": d.epic_id,
                "done_at": d.done_at.isoformat(),
            }
            for d in report.done
        ],
        "roadmap": [_row(r) for r in report.epics],
        "dates_moved": [
            {
                "id": m.item_id,
                "kind": m.kind.value,
                "title": m.title,
                "field": m.field,
                "old": m.old.isoformat() if m.old else None,
                "new": m.new.isoformat() if m.new else None,
            }
            for m in report.moved
        ],
        "risks": {
            "at_risk": [_row(r) for r in report.at_risk],
            "late": [_row(r) for r in report.late],
            "blocked": [
                {
                    "id": b.id,
                    "kind": b.kind.value,
                    "title": b.title,
                    "blocked_by": {
                        "id": b.blocker_id,
                        "title": b.blocker_title,
                        "column": b.blocker_column,
                    },
                }
                for b in report.blocked
            ],
            "over_wip": [
                {"column": w.column, "count": w.count, "limit": w.limit} for w in report.over_wip
            ],
            "stale": [
                {
                    "id": s.id,
                    "kind": s.kind.value,
                    "title": s.title,
                    "owner": s.owner,
                    "column": s.column,
                    "since": s.since.isoformat(),
                }
                for s in report.stale
            ],
        },
        "next": [
            {"date": u.day.isoformat(), "what": u.what, "title": u.title} for u in report.upcoming
        ],
        "time": reports.to_dict(report.time),
    }


def render(db: Database, clock: Clock, day: date | None, fmt: str) -> str:
    """The status report in one of FORMATS: what `tpm report status` prints and `R` on
    the week screen writes."""
    report = status_report(db, clock, day)
    if fmt == "json":
        return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
    return render_markdown(report)
