"""The week's breakdown: minutes per category and day, shares against the role's bands,
and the same report as a table, JSON, CSV or Markdown."""

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
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text

# The typical split of a technical product manager's week, in percent.
BANDS: dict[Category, tuple[int, int]] = {
    Category.MEETINGS: (40, 50),
    Category.TOOLING: (35, 40),
    Category.DELIVERABLES: (10, 25),
}
FORMATS = ("table", "json", "csv", "md")


@dataclass(frozen=True)
class CategoryShare:
    """One category's week: minutes, share of the total, and how it sits in its band."""

    category: Category
    minutes: int
    percent: float
    band: tuple[int, int]

    @property
    def verdict(self) -> str:
        """`within`, `below` or `above` the typical band."""
        low, high = self.band
        if self.percent < low:
            return "below"
        if self.percent > high:
            return "above"
        return "within"


@dataclass(frozen=True)
class DayRow:
    """One day's minutes per category."""

    day: date
    minutes: dict[Category, int]

    @property
    def total(self) -> int:
        """The day's minutes, all categories."""
        return sum(self.minutes.values())


@dataclass(frozen=True)
class WeekReport:
    """An ISO week (Monday first) of time, per category and per day."""

    start: date
    categories: list[CategoryShare]
    days: list[DayRow]

    @property
    def label(self) -> str:
        """`2026-W48`."""
        return week_label(self.start)

    @property
    def total_minutes(self) -> int:
        """All minutes of the week."""
        return sum(c.minutes for c in self.categories)

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)


def _whose(person: str | None) -> dict[str, Any]:
    """The statements' `whose` for `person` (None: the database's own, mine)."""
    return {} if person is None else {"whose": person}


def week_report(
    db: Database, clock: Clock, day: date | None = None, *, person: str | None = None
) -> WeekReport:
    """The report for the ISO week holding `day` (this week by default) of my hours, or
    of `person`'s (as stored on their entries). Entries count on the local day they
    started; a running timer counts up to now."""
    monday = week_start(day or clock.today())
    bounds = [clock.day_bounds(monday + timedelta(days=i))[0] for i in range(8)]
    seconds: dict[tuple[int, Category], int] = {}
    with db.read() as ex:
        edges = {f"b{i}": bound for i, bound in enumerate(bounds)}
        found = ex.rows(q.week_seconds_by_day, now=clock.now(), **edges, **_whose(person))
        for index, category, total in found:
            seconds[(int(index), Category(category))] = int(total or 0)
    days = [
        DayRow(
            monday + timedelta(days=i),
            {c: (seconds.get((i, c), 0) + 30) // 60 for c in Category},
        )
        for i in range(7)
    ]
    return from_days(monday, days)


def from_days(monday: date, days: list[DayRow]) -> WeekReport:
    """A week's report from its days' minutes: totals and shares per category."""
    totals = {c: sum(d.minutes[c] for d in days) for c in Category}
    grand = sum(totals.values())
    shares = [
        CategoryShare(c, totals[c], round(100 * totals[c] / grand, 1) if grand else 0.0, BANDS[c])
        for c in Category
    ]
    return WeekReport(monday, shares, days)


@dataclass(frozen=True)
class ItemTime:
    """Time a work item took in a week."""

    item_id: int
    title: str
    kind: str
    minutes: int


@dataclass(frozen=True)
class WeekView:
    """Everything the week screen and the status report show about one week."""

    report: WeekReport
    items: list[ItemTime]
    previous: dict[Category, float | None]  # average share over the weeks before
    weeks_compared: int
    target_minutes: int


def _week_bounds(clock: Clock, monday: date, weeks: int) -> list[Any]:
    return [clock.day_bounds(monday + timedelta(weeks=i))[0] for i in range(weeks + 1)]


def top_items(
    db: Database, clock: Clock, monday: date, limit: int = 5, *, person: str | None = None
) -> list[ItemTime]:
    """The work items that took the most of my (or `person`'s) time in the week, summed
    in SQL."""

    start, end = _week_bounds(clock, monday, 1)
    with db.read() as ex:
        rows = ex.rows(
            q.top_items_between,
            now=clock.now(),
            start=start,
            end=end,
            limit=limit,
            **_whose(person),
        )
    return [ItemTime(int(i), str(t), str(k), (int(sec or 0) + 30) // 60) for i, t, k, sec in rows]


TREND_WEEKS = 4  # the weeks before that a week is compared with (q.seconds_by_week_of_four)


def previous_shares(
    db: Database, clock: Clock, monday: date
) -> tuple[dict[Category, float | None], int]:
    """Each category's share averaged over the TREND_WEEKS weeks before `monday` that
    have any time logged (one query); and how many such weeks there were."""
    weeks = TREND_WEEKS
    first = monday - timedelta(weeks=weeks)
    bounds = _week_bounds(clock, first, weeks)
    per_week: dict[int, dict[Category, int]] = {}
    with db.read() as ex:
        edges = {f"b{i}": bound for i, bound in enumerate(bounds)}
        for index, category, total in ex.rows(q.seconds_by_week_of_four, now=clock.now(), **edges):
            per_week.setdefault(int(index), {})[Category(category)] = int(total or 0)
    shares: dict[Category, list[float]] = {c: [] for c in Category}
    for totals in per_week.values():
        week_total = sum(totals.values())
        if week_total:
            for c in Category:
                shares[c].append(100 * totals.get(c, 0) / week_total)
    counted = sum(1 for totals in per_week.values() if sum(totals.values()))
    return (
        {c: (round(sum(v) / len(v), 1) if v else None) for c, v in shares.items()},
        counted,
    )


def week_view(db: Database, clock: Clock, day: date | None = None) -> WeekView:
    """The week holding `day` (this week by default) with its top items, the four weeks
    before it for comparison, and the weekly target."""
    from tpm_tui.services.settings import week_target_minutes

    report = week_report(db, clock, day)
    previous, counted = previous_shares(db, clock, report.start)
    return WeekView(
        report, top_items(db, clock, report.start), previous, counted, week_target_minutes(db)
    )


# ---------------------------------------------------------------- renderings


def to_dict(report: WeekReport) -> dict[str, Any]:
    """The JSON shape scripts rely on (see the README)."""
    return {
        "week": report.label,
        "start": report.start.isoformat(),
        "total_minutes": report.total_minutes,
        "categories": {
            share.category.value: {
                "minutes": share.minutes,
                "percent": share.percent,
                "band": list(share.band),
                "verdict": share.verdict,
            }
            for share in report.categories
        },
        "days": [
            {"date": row.day.isoformat(), **{c.value: row.minutes[c] for c in Category}}
            for row in report.days
        ],
    }


def _span(report: WeekReport) -> str:
    return f"{report.start:%a %d %b} – {report.end:%a %d %b %Y}"


def _verdict_words(share: CategoryShare, total: int) -> str:
    if not total:
        return ""
    return {"within": "within typical", "below": "below typical", "above": "above typical"}[
        share.verdict
    ]


def render_table(report: WeekReport) -> str:
    """A plain-text table for the terminal."""
    total = report.total_minutes
    lines = [f"Week {report.label} · {_span(report)} · total {format_duration(total)}", ""]
    if not total:
        lines.append("No time logged this week yet: `tpm log 30m meetings standup` adds some.")
        return "\n".join(lines) + "\n"
    lines.append(f"{'category':<14}{'time':>8}{'share':>8}   {'typical':<9} verdict")
    for share in report.categories:
        low, high = share.band
        lines.append(
            f"{share.category.value:<14}{format_duration(share.minutes):>8}"
            f"{share.percent:>7.0f}%   {f'{low}–{high} %':<9} {_verdict_words(share, total)}"
        )
    lines.append("")
    names = [c.value for c in Category]
    lines.append(f"{'day':<12}" + "".join(f"{n:>14}" for n in names) + f"{'total':>10}")
    for row in report.days:
        lines.append(
            f"{row.day:%a %d %b}".ljust(12)
            + "".join(
                f"{format_duration(row.minutes[c]) if row.minutes[c] else '·':>14}"
                for c in Category
            )
            + f"{format_duration(row.total) if row.total else '·':>10}"
        )
    lines.append(
        f"{'total':<12}"
        + "".join(f"{format_duration(s.minutes):>14}" for s in report.categories)
        + f"{format_duration(total):>10}"
    )
    return "\n".join(lines) + "\n"


def render_json(report: WeekReport) -> str:
    """The report as JSON."""
    return json.dumps(to_dict(report), indent=2) + "\n"


def render_csv(report: WeekReport) -> str:
    """One row per day and category total, minutes as numbers, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", *(c.value for c in Category), "total"])
    for row in report.days:
        writer.writerow([row.day.isoformat(), *(row.minutes[c] for c in Category), row.total])
    writer.writerow(["total", *(s.minutes for s in report.categories), report.total_minutes])
    writer.writerow(
        ["percent", *(s.percent for s in report.categories), 100.0 if report.total_minutes else 0.0]
    )
    return out.getvalue()


def render_markdown(report: WeekReport, items: list[ItemTime] | None = None) -> str:
    """A status-report section to paste into a weekly update: the headline split, the
    table, the items that took the most time, and what sat outside its band."""
    total = report.total_minutes
    lines = [f"## Time, week {report.label} ({_span(report)})", ""]
    if not total:
        lines.append("No time logged this week.")
        return "\n".join(lines) + "\n"
    split = ", ".join(f"{s.category.value} {s.percent:.0f} %" for s in report.categories)
    lines += [f"**{format_duration(total)} logged:** {split}.", ""]
    lines.append("| Category | Time | Share | Typical | |")
    lines.append("|---|---:|---:|---|---|")
    for s in report.categories:
        lines.append(
            f"| {s.category.value} | {format_duration(s.minutes)} | {s.percent:.0f} % | "
            f"{s.band[0]}–{s.band[1]} % | {s.verdict} |"
        )
    lines += ["", "| Day | " + " | ".join(c.value for c in Category) + " | Total |"]
    lines.append("|---|" + "---:|" * (len(Category) + 1))
    for row in report.days:
        cells = [format_duration(row.minutes[c]) if row.minutes[c] else "–" for c in Category]
        lines.append(
            f"| {row.day:%a %d %b} | " + " | ".join(cells) + f" | {format_duration(row.total)} |"
        )
    if items:
        lines += ["", "**Most time went to:**", ""]
        lines += [
            f"- #{i.item_id} {markdown_text(i.title)} ({i.kind}): {format_duration(i.minutes)}"
            for i in items
        ]
    notable = [s for s in report.categories if s.verdict != "within"]
    if notable:
        lines.append("")
        for s in notable:
            lines.append(
                f"- {s.category.value} was {s.verdict} its typical "
                f"{s.band[0]}–{s.band[1]} % at {s.percent:.0f} %."
            )
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv}


def render_week(
    db: Database, clock: Clock, day: date | None, fmt: str, *, person: str | None = None
) -> str:
    """My week (or `person`'s) in one of FORMATS: what `tpm report` prints and the week
    screen exports."""
    report = week_report(db, clock, day, person=person)
    if fmt == "md":
        return render_markdown(report, top_items(db, clock, report.start, person=person))
    return RENDERERS[fmt](report)
