"""The team's week (`tpm report --team`): each person's hours per category, and the
team's together, as a table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.dates import week_label, week_start
from tpm_tui.db import Database
from tpm_tui.durations import format_duration
from tpm_tui.kinds import Category
from tpm_tui.services import reports
from tpm_tui.services.reports import DayRow, WeekReport, from_days, week_report
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text

UNNAMED = "(no name)"  # entries on a server that carry no person (none are written so)


@dataclass(frozen=True)
class PersonWeek:
    """One person's week: the name shown and their report (what `--user` prints)."""

    person: str
    report: WeekReport


@dataclass(frozen=True)
class TeamWeek:
    """A week of everyone's hours: per person (by name) and together."""

    start: date
    people: list[PersonWeek]
    together: WeekReport

    @property
    def label(self) -> str:
        """`2026-W48`."""
        return week_label(self.start)


def people_of_week(db: Database, clock: Clock, monday: date) -> list[str]:
    """The names stored on the entries starting in the week (one query), in order."""
    start = clock.day_bounds(monday)[0]
    end = clock.day_bounds(monday + timedelta(days=7))[0]
    with db.read() as ex:
        rows = ex.rows(q.seconds_by_person_category_between, now=clock.now(), start=start, end=end)
    return sorted({str(person) for person, _category, _seconds in rows})


def team_week(db: Database, clock: Clock, day: date | None = None) -> TeamWeek:
    """Everyone's week holding `day` (this week by default): each person's report, the
    same as `tpm report --user` shows them, and the sum of those (so the rows add up).
    On a SQLite workspace, entries logged there carry no name: they are its user's."""
    monday = week_start(day or clock.today())
    people = [
        PersonWeek(_shown(db, name), week_report(db, clock, monday, person=name))
        for name in people_of_week(db, clock, monday)
    ]
    days = [
        DayRow(
            monday + timedelta(days=i),
            {c: sum(p.report.days[i].minutes[c] for p in people) for c in Category},
        )
        for i in range(7)
    ]
    return TeamWeek(monday, people, from_days(monday, days))


def _shown(db: Database, name: str) -> str:
    if name:
        return name
    return db.me if db.is_sqlite and db.me else UNNAMED


# ---------------------------------------------------------------- renderings


def _summary(report: WeekReport) -> dict[str, Any]:
    shape = reports.to_dict(report)
    del shape["week"], shape["start"]
    return shape


def to_dict(team: TeamWeek) -> dict[str, Any]:
    """The JSON shape: the week, each person's report and the team's, as `tpm report
    --format json` shapes one (without repeating the week)."""
    return {
        "week": team.label,
        "start": team.start.isoformat(),
        "total_minutes": team.together.total_minutes,
        "people": [{"person": p.person, **_summary(p.report)} for p in team.people],
        "together": _summary(team.together),
    }


def _rows(team: TeamWeek) -> list[tuple[str, WeekReport]]:
    return [(p.person, p.report) for p in team.people] + [("together", team.together)]


def _span(team: TeamWeek) -> str:
    return f"{team.start:%a %d %b} – {team.start + timedelta(days=6):%a %d %b %Y}"


def _cell(minutes: int, total: int) -> str:
    if not minutes:
        return "·"
    return f"{format_duration(minutes)} {round(100 * minutes / total):.0f}%"


def render_table(team: TeamWeek) -> str:
    """A plain-text table: one line per person, then the team together."""
    total = team.together.total_minutes
    count = len(team.people)
    lines = [
        f"Team week {team.label} · {_span(team)} · {count} "
        f"{'person' if count == 1 else 'people'} · total {format_duration(total)}",
        "",
    ]
    if not total:
        lines.append("No time logged this week by anyone yet.")
        return "\n".join(lines) + "\n"
    width = max(12, *(len(name) + 2 for name, _r in _rows(team)))
    names = [c.value for c in Category]
    lines.append(f"{'person':<{width}}" + "".join(f"{n:>16}" for n in names) + f"{'total':>10}")
    for name, report in _rows(team):
        minutes = {s.category: s.minutes for s in report.categories}
        grand = report.total_minutes
        lines.append(
            f"{name:<{width}}"
            + "".join(f"{_cell(minutes[c], grand):>16}" for c in Category)
            + f"{format_duration(grand) if grand else '·':>10}"
        )
    return "\n".join(lines) + "\n"


def render_json(team: TeamWeek) -> str:
    """The team's week as JSON."""
    return json.dumps(to_dict(team), indent=2) + "\n"


def render_csv(team: TeamWeek) -> str:
    """One row per person and one for the team, minutes as numbers, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["person", *(c.value for c in Category), "total"])
    for name, report in _rows(team):
        writer.writerow([name, *(s.minutes for s in report.categories), report.total_minutes])
    return out.getvalue()


def render_markdown(team: TeamWeek) -> str:
    """A status-update section: each person's split and the team's."""
    lines = [f"## Team time, week {team.label} ({_span(team)})", ""]
    if not team.together.total_minutes:
        lines.append("No time logged this week.")
        return "\n".join(lines) + "\n"
    lines.append("| Person | " + " | ".join(c.value for c in Category) + " | Total |")
    lines.append("|---|" + "---:|" * (len(Category) + 1))
    for name, report in _rows(team):
        grand = report.total_minutes
        cells = [
            f"{format_duration(s.minutes)} ({round(100 * s.minutes / grand):.0f} %)"
            if s.minutes
            else "–"
            for s in report.categories
        ]
        shown = "**together**" if report is team.together else markdown_text(name)
        lines.append(f"| {shown} | " + " | ".join(cells) + f" | {format_duration(grand)} |")
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv, "md": render_markdown}


def render_team_week(db: Database, clock: Clock, day: date | None, fmt: str) -> str:
    """The team's week in one of reports.FORMATS (`tpm report --team`)."""
    return RENDERERS[fmt](team_week(db, clock, day))
