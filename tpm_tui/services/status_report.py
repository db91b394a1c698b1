"""Friday's status report: one Markdown page (or JSON) for a week — a headline of the
sprint's and the goals' progress, what reached done, the roadmap and the dates that
moved, the risks, what comes in the next seven days, and where the time went.
Deterministic given the data and the clock: every figure comes from one named query,
the report's own all in one read transaction (the time split is `tpm report`'s).

It imports only what it prints (what `tpm report` loads, services/progress.py's
figures and this module): its rows are tuples, not the backlog's, roadmap's, goals'
or sprints' view classes — a report lists thousands of stale items, and every class
a dataclass makes costs a command over a millisecond to import."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from tpm_tui.clock import Clock
from tpm_tui.dates import week_label, week_start
from tpm_tui.db import Database
from tpm_tui.kinds import Kind
from tpm_tui.services import progress, reports
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text
from tpm_tui.timescale import Status

if TYPE_CHECKING:
    from tpm_tui.sql.executor import Executor

STALE_WORKING_DAYS = 3
"""An item in a started column with no change for this many working days is stale."""
NEXT_DAYS = 7
FORMATS = ("md", "json")
LEAF_KINDS = frozenset(kind.value for kind in Kind if kind.level == 2)
"""The cards a team works on (stories, bugs, debt)."""

SprintProgress = tuple[str, date, date, int, int, int, int, int]
"""The sprint that ran on the report's day, as of that day's end (or its close):
name, start, end, committed points (in it at its start, as `tpm sprint show` counts
them), points in it, done points, whether it is closed (1 or 0), days left."""
GoalLine = tuple[int, str, int | None, int | None, bool]
"""An active goal: id, title, outcome percent, output percent, whether its epics are
done ahead of its numbers."""
DoneItem = tuple[int, str, str, int | None, int | None, str | None, datetime]
"""An item that reached a done column in the week: id, kind, title, points, epic id
and title, when (local time)."""
RoadmapLine = tuple[int, str, str, date | None, date | None, int, int, Status]
"""An epic or feature on the roadmap: id, kind, title, start, target, depth (0 for an
epic, 1 for a feature under it), done percent, status."""
DateMove = tuple[int, str, str, str, date | None, date | None]
"""An epic's or feature's start or target date that moved in the week: id, kind,
title, field, the date before its first change and after its last."""
Blocked = tuple[int, str, str, int, str, str]
"""An open item waiting for an open item: id, kind, title, and the blocker's id,
title and column."""
OverWip = tuple[str, int, int]
"""A column holding more cards than its WIP limit: name, count, limit."""
Stale = tuple[int, str, str, str, str, date]
"""An item in a started column, unchanged for STALE_WORKING_DAYS working days: id,
kind, title, owner, column, the day of its last change."""
Upcoming = tuple[date, str, str]
"""A milestone or a sprint's end in the next seven days: day, what ("milestone" or
"sprint_end"), title."""


class StatusReport:
    """Everything the report says about one week, as of `as_of`."""

    __slots__ = (
        "as_of",
        "at_risk",
        "blocked",
        "done",
        "epics",
        "goals",
        "late",
        "moved",
        "over_wip",
        "sprint",
        "stale",
        "start",
        "time",
        "time_items",
        "today",
        "upcoming",
    )

    def __init__(
        self,
        *,
        start: date,
        as_of: date,
        sprint: SprintProgress | None,
        goals: list[GoalLine],
        done: list[DoneItem],
        epics: list[RoadmapLine],
        moved: list[DateMove],
        at_risk: list[RoadmapLine],
        late: list[RoadmapLine],
        blocked: list[Blocked],
        over_wip: list[OverWip],
        stale: list[Stale],
        upcoming: list[Upcoming],
        time: reports.WeekReport,
        time_items: list[reports.ItemTime],
        today: date | None = None,
    ) -> None:
        self.start = start
        self.as_of = as_of
        # The goals, the roadmap and most risks are as they stand today, not as they
        # stood on `as_of`: another week's report says so beside them.
        self.today = today or as_of
        self.sprint = sprint
        self.goals = goals
        self.done = done
        self.epics = epics
        self.moved = moved
        self.at_risk = at_risk
        self.late = late
        self.blocked = blocked
        self.over_wip = over_wip
        self.stale = stale
        self.upcoming = upcoming
        self.time = time
        self.time_items = time_items

    @property
    def label(self) -> str:
        """`2026-W48`."""
        return week_label(self.start)

    @property
    def standing(self) -> str:
        """` (as of today, Fri 27 Nov)` beside what is read as it stands today, when the
        report is of another week (a past one, or one to come); "" otherwise."""
        return f" (as of today, {_day(self.today)})" if self.today != self.as_of else ""

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)


# ---------------------------------------------------------------- the queries


def done_between(ex: Executor, start: datetime, end: datetime) -> list[DoneItem]:
    """Items that came into a done column in [start, end) (the item history says when)
    and are still done, in the order they got there (the last arrival if twice)."""
    arrived: dict[int, datetime] = {}
    for item_id, at in ex.rows(q.items_done_between, start=start, end=end):
        arrived[int(item_id)] = at
    rows = ex.rows(q.done_items_described, ids=list(arrived)) if arrived else []
    done = [
        (int(i), kind, title, points, epic_id, epic_title, arrived[int(i)])
        for i, kind, title, points, epic_id, epic_title in rows
    ]
    return sorted(done, key=lambda d: (d[6], d[0]))


def _dates_moved(ex: Executor, start: datetime, end: datetime) -> list[DateMove]:
    first: dict[tuple[int, str], DateMove] = {}
    for _id, item_id, kind, title, field, old, new, _at in ex.rows(
        q.date_changes_between, start=start, end=end
    ):
        if kind in LEAF_KINDS:
            continue
        key = (int(item_id), field)
        before = first[key][4] if key in first else old
        first[key] = (int(item_id), kind, title, field, before, new)
    return sorted((m for m in first.values() if m[4] != m[5]), key=lambda m: (m[0], m[3]))


def dates_moved(db: Database, start: datetime, end: datetime) -> list[DateMove]:
    """The roadmap's items (epics and features) whose start or target date changed in
    [start, end): each date's value before its first change and after its last; a date
    moved and moved back is left out."""
    with db.read() as ex:
        return _dates_moved(ex, start, end)


def working_days_back(day: date, days: int) -> date:
    """The working day (Monday to Friday) `days` working days before `day`."""
    while days > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def stale_items(
    ex: Executor, clock: Clock, columns: list[tuple[Any, ...]], as_of: date
) -> list[Stale]:
    """Stories, bugs and debt in a started column (past the first two of `columns`,
    q.columns_all's rows: Backlog and To Do by default; not done) with no change for
    STALE_WORKING_DAYS working days before `as_of`. "Change" is the item's last update
    (updated_at); the item history, once it exists, says it more precisely."""
    if len(columns) < 3:
        return []
    after = columns[1][2]
    names = {
        key: name for key, name, position, _limit, done in columns if position > after and not done
    }
    if not names:
        return []
    before = clock.day_bounds(working_days_back(as_of, STALE_WORKING_DAYS))[0]
    stmt = q.stale_started_items
    rows = ex.raw_rows(stmt, columns=list(names), before=before)
    rows.sort(key=itemgetter(0))
    rows.sort(key=itemgetter(5))  # oldest change first (stable: then by id)
    # A change's local day is worked out only where it may differ from the row before's
    # (converting every row's time took most of a long report's time), by comparing the
    # stored values in order.
    out: list[Stale] = []
    until = None
    since = as_of
    for row in rows:
        if until is None or row[5] >= until:
            since, next_day = _local_day(clock, ex.converted(stmt, row)[5])
            until = ex.raw("datetime", next_day)
        out.append((row[0], row[1], row[2], row[3], names[row[4]], since))
    return out


def _local_day(clock: Clock, moment: datetime) -> tuple[date, datetime]:
    """The local day of `moment`, and the first moment after it that may fall on
    another day: the next local midnight, or `moment` itself if the clocks change
    before then."""
    local = clock.local(moment)
    day = local.date()
    end = clock.day_bounds(day)[1]
    last = clock.local(end - timedelta(microseconds=1))
    if last.date() != day or last.utcoffset() != local.utcoffset():
        return day, moment
    return day, end


def roadmap_lines(ex: Executor, sums: list[tuple[Any, ...]], today: date) -> list[RoadmapLine]:
    """The roadmap's epics and features in its order, with done percent and status
    (as services/roadmap.py's load_roadmap has them), from `sums`, the per-parent
    roll-up rows."""
    rows = ex.rows(q.roadmap_items)
    rollups = progress.fold_rollups(sums)
    lines = []
    for index, depth, _outside in progress.roadmap_order(rows):
        item_id, kind, _parent, start, target, title, in_done = rows[index]
        percent, status = progress.item_progress(
            rollups.get(item_id), in_done, start, target, today
        )
        lines.append((item_id, kind, title, start, target, depth, percent, status))
    return lines


def goal_lines(ex: Executor, sums: list[tuple[Any, ...]]) -> list[GoalLine]:
    """The active goals with their outcome and output (as goals.goal_progress's views
    have them), from `sums`, the per-parent roll-up rows."""
    goals, results, outputs = progress.read_goals(ex, sums=sums)
    lines = []
    for goal_id, title, *_ in goals:
        outcome = progress.outcome_percent(
            progress.key_result_progress(progress.key_result_current(kr[4], values), kr[4], kr[5])
            for kr, values in results.get(goal_id, ())
        )
        output = progress.output_percent(outputs.get(goal_id))
        lines.append((goal_id, title, outcome, output, progress.output_ahead(outcome, output)))
    return lines


def sprint_progress(ex: Executor, clock: Clock, monday: date, day: date) -> SprintProgress | None:
    """The sprint that ran in the week of `monday` up to `day`, with its points at the
    end of `day`, or at its close, or now if sooner (from the item history, as `tpm
    sprint show` has them), and whether it was closed by then (else its days left)."""
    day_end = clock.day_bounds(day)[1]
    first_start = clock.day_bounds(monday)[0]
    sprint = ex.row(q.sprint_of_week, first=monday, day=day, first_start=first_start)
    if sprint is None:
        return None
    sprint_id, name, start, end = sprint[:4]
    closed_at = sprint[7]
    steps = [
        (at.astimezone(UTC), int(scope), int(rest))
        for _item, at, scope, rest in ex.rows(q.sprint_scope_changes, sprint_id=sprint_id)
    ]
    tick = timedelta(microseconds=1)  # (a change at the close or now itself counts)
    limit = min(day_end, (closed_at or day_end) + tick, clock.now() + tick)
    committed = progress.points_at(steps, min(clock.day_bounds(start)[1], limit))[0]
    scope, remaining = progress.points_at(steps, limit)
    closed = closed_at is not None and closed_at <= day_end  # by the end of `day`
    days = 0 if closed else progress.days_left(end, day)
    return (name, start, end, committed, scope, scope - remaining, int(closed), days)


def upcoming(ex: Executor, after: date, days: int = NEXT_DAYS) -> list[Upcoming]:
    """Milestones and sprint ends in the `days` days after `after`."""
    last = after + timedelta(days=days)
    out: list[Upcoming] = [
        (on, "milestone", title)
        for _id, title, on in ex.rows(q.milestones_all)
        if after < on <= last
    ]
    out += [
        (row[3], "sprint_end", row[1]) for row in ex.rows(q.sprints_all) if after < row[3] <= last
    ]
    return sorted(out)


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
    with db.read() as ex:
        sums = progress.parent_sums(ex)
        roadmap = roadmap_lines(ex, sums, clock.today())
        goals = goal_lines(ex, sums)
        sprint = sprint_progress(ex, clock, monday, as_of)
        done = [(*d[:6], clock.local(d[6])) for d in done_between(ex, start, end)]
        moved = _dates_moved(ex, start, end)
        blocked = [
            (int(i), k, t, int(b), bt, bc) for i, k, t, b, bt, bc in ex.rows(q.blocked_open_items)
        ]
        over_wip = [
            (name, int(count), int(limit))
            for name, limit, count in ex.rows(q.wip_limited_columns)
            if count > limit
        ]
        stale = stale_items(ex, clock, ex.rows(q.columns_all), as_of)
        coming = upcoming(ex, as_of)
    return StatusReport(
        start=monday,
        as_of=as_of,
        sprint=sprint,
        goals=goals,
        done=done,
        epics=[r for r in roadmap if r[5] == 0 and r[1] == "epic"],
        moved=moved,
        at_risk=[r for r in roadmap if r[7] is Status.AT_RISK],
        late=[r for r in roadmap if r[7] is Status.LATE],
        blocked=blocked,
        over_wip=over_wip,
        stale=stale,
        upcoming=coming,
        time=reports.week_report(db, clock, monday),
        time_items=reports.top_items(db, clock, monday),
        today=clock.today(),
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


_KIND_LABELS = {kind.value: kind.value.capitalize() for kind in Kind}


def _item(kind: str, item_id: int, title: str) -> str:
    return f"{_KIND_LABELS[kind]} #{item_id} {markdown_text(title)}"


def sprint_percent(sprint: SprintProgress) -> int:
    """Done share of the points in the sprint."""
    _name, _start, _end, _committed, scope, done, _closed, _left = sprint
    return round(100 * done / scope) if scope else 0


def sprint_sentence(sprint: SprintProgress | None) -> str:
    """The sprint's progress in one sentence."""
    if sprint is None:
        return "No sprint ran."
    name, start, end, committed, scope, done, closed, days_left = sprint
    left = "closed" if closed else f"{days_left} day{'s' if days_left != 1 else ''} left"
    return (
        f"{markdown_text(name)} ({_span(start, end)}) has {done} of {scope} points done"
        f" ({sprint_percent(sprint)} %; {committed} committed at its start), {left}."
    )


def _percent(value: int | None) -> str:
    return "–" if value is None else f"{value} %"


def goals_sentence(goal_list: list[GoalLine]) -> str:
    """Every active goal's outcome and output in one sentence."""
    if not goal_list:
        return "No goals yet (`tpm goal add` adds one)."
    parts = []
    for goal_id, title, outcome, output, ahead in goal_list:
        part = (
            f"G{goal_id} {markdown_text(title)}: outcome {_percent(outcome)}, "
            f"output {_percent(output)}"
        )
        if ahead:
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
        f"**Goals{report.standing}:** {goals_sentence(report.goals)}",
        "",
        "## Done this week",
        "",
    ]
    if report.done:
        for item_id, kind, title, points, epic_id, epic_title, done_at in report.done:
            epic = f", epic #{epic_id} {markdown_text(epic_title or '')}" if epic_id else ""
            estimate = f" ({_pts(points)})" if kind in LEAF_KINDS else ""
            lines.append(
                f"- {_item(kind, item_id, title)}{estimate}{epic} — {_day(done_at.date())}"
            )
    else:
        lines.append("Nothing reached done this week.")
    lines += ["", f"## Roadmap{report.standing}", ""]
    if report.epics:
        lines += ["| Epic | Start | Target | Done | Status |", "|---|---|---|---:|---|"]
        for item_id, _kind, title, start, target, _depth, percent, status in report.epics:
            lines.append(
                f"| #{item_id} {markdown_text(title)} | {start or '–'} | "
                f"{target or '–'} | {percent} % | {status.value} |"
            )
    else:
        lines.append("No epics yet.")
    lines.append("")
    if report.moved:
        lines += ["Dates moved this week:", ""]
        for item_id, kind, title, field, old, new in report.moved:
            what = "start" if field == "start_date" else "target"
            lines.append(
                f"- {_item(kind, item_id, title)}: {what} {old or 'none'} → {new or 'none'}"
            )
    else:
        lines.append("No dates moved this week.")
    lines += ["", f"## Risks{report.standing}", ""]
    risks = _risk_lines(report)
    lines += risks or ["Nothing at risk, late, blocked, over its WIP limit or stale."]
    first, last = report.as_of + timedelta(days=1), report.as_of + timedelta(days=NEXT_DAYS)
    lines += ["", f"## Next 7 days ({_day(first)} – {_day(last)})", ""]
    if report.upcoming:
        for day, kind_of, title in report.upcoming:
            what = (
                f"milestone {markdown_text(title)}"
                if kind_of == "milestone"
                else f"{markdown_text(title)} ends"
            )
            lines.append(f"- {_day(day)}: {what}")
    else:
        lines.append("No milestones or sprint ends.")
    lines += ["", reports.render_markdown(report.time, report.time_items).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _risk_lines(report: StatusReport) -> list[str]:
    out = []
    for label, rows in (("At risk", report.at_risk), ("Late", report.late)):
        for item_id, kind, title, _start, target, _depth, percent, _status in rows:
            out.append(
                f"- {label}: {_item(kind, item_id, title)} — {percent} % done, target {target}"
            )
    for item_id, kind, title, blocker_id, blocker_title, blocker_column in report.blocked:
        out.append(
            f"- Blocked: {_item(kind, item_id, title)} waits for #{blocker_id} "
            f"{markdown_text(blocker_title)} ({markdown_text(blocker_column)})"
        )
    for column, count, limit in report.over_wip:
        out.append(f"- Over WIP: {markdown_text(column)} holds {count} of {limit}")
    # Thousands of stale items share a few columns, days and owners: each line's tail
    # is made once per combination.
    tails: dict[tuple[str, date, str], str] = {}
    for item_id, kind, title, owner, column, since in report.stale:
        tail = tails.get((column, since, owner))
        if tail is None:
            mention = f", @{markdown_text(owner)}" if owner else ""
            tail = f" — {markdown_text(column)}, unchanged since {_day(since)}{mention}"
            tails[column, since, owner] = tail
        out.append(f"- Stale: {_KIND_LABELS[kind]} #{item_id} {markdown_text(title)}{tail}")
    return out


# ---------------------------------------------------------------- JSON


def _row(r: RoadmapLine) -> dict[str, Any]:
    item_id, kind, title, start, target, _depth, percent, status = r
    return {
        "id": item_id,
        "kind": kind,
        "title": title,
        "start": start.isoformat() if start else None,
        "target": target.isoformat() if target else None,
        "done_percent": percent,
        "status": status.value,
    }


def to_dict(report: StatusReport) -> dict[str, Any]:
    """The report's JSON shape (keys stable; see the README)."""
    sprint = report.sprint
    return {
        "week": report.label,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "figures_as_of": report.today.isoformat(),
        "headline": {
            "sprint": sprint_sentence(sprint),
            "goals": goals_sentence(report.goals),
        },
        "sprint": None
        if sprint is None
        else {
            "name": sprint[0],
            "start": sprint[1].isoformat(),
            "end": sprint[2].isoformat(),
            "committed_points": sprint[3],
            "points": sprint[4],
            "done_points": sprint[5],
            "done_percent": sprint_percent(sprint),
            "closed": bool(sprint[6]),
            "days_left": sprint[7],
        },
        "goals": [
            {
                "id": goal_id,
                "title": title,
                "outcome_percent": outcome,
                "output_percent": output,
                "output_ahead": ahead,
            }
            for goal_id, title, outcome, output, ahead in report.goals
        ],
        "done": [
            {
                "id": item_id,
                "kind": kind,
                "title": title,
                "points": points,
                "epic_id": epic_id,
                "done_at": done_at.isoformat(),
            }
            for item_id, kind, title, points, epic_id, _epic_title, done_at in report.done
        ],
        "roadmap": [_row(r) for r in report.epics],
        "dates_moved": [
            {
                "id": item_id,
                "kind": kind,
                "title": title,
                "field": field,
                "old": old.isoformat() if old else None,
                "new": new.isoformat() if new else None,
            }
            for item_id, kind, title, field, old, new in report.moved
        ],
        "risks": {
            "at_risk": [_row(r) for r in report.at_risk],
            "late": [_row(r) for r in report.late],
            "blocked": [
                {
                    "id": item_id,
                    "kind": kind,
                    "title": title,
                    "blocked_by": {"id": by_id, "title": by_title, "column": by_column},
                }
                for item_id, kind, title, by_id, by_title, by_column in report.blocked
            ],
            "over_wip": [
                {"column": column, "count": count, "limit": limit}
                for column, count, limit in report.over_wip
            ],
            "stale": [
                {
                    "id": item_id,
                    "kind": kind,
                    "title": title,
                    "owner": owner,
                    "column": column,
                    "since": since.isoformat(),
                }
                for item_id, kind, title, owner, column, since in report.stale
            ],
        },
        "next": [
            {"date": day.isoformat(), "what": what, "title": title}
            for day, what, title in report.upcoming
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
