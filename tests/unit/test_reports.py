"""The week's breakdown: known figures, bands, day boundaries and every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import BERLIN
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Category
from tpm_tui.services import reports, timetrack

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL

MON, TUE = date(2026, 11, 23), date(2026, 11, 24)


def _seed_week(db: Database, clock: Clock) -> None:
    """20 h: meetings 11 h (55 %, above), tooling 7 h (35 %, within), deliverables 2 h (10 %)."""
    for day, category, hours in [
        (MON, "meetings", 5),
        (MON, "tooling", 3),
        (TUE, "meetings", 6),
        (TUE, "tooling", 4),
        (TUE, "deliverables", 2),
    ]:
        timetrack.log_entry(db, clock, hours * 60, category, day=day)
    timetrack.log_entry(db, clock, 90, "meetings", day=date(2026, 11, 20))  # last week


def test_known_week(db: Database, clock: Clock) -> None:
    _seed_week(db, clock)
    report = reports.week_report(db, clock)
    assert report.label == "2026-W48" and report.start == MON
    assert report.total_minutes == 20 * 60
    shares = {s.category.value: (s.minutes, s.percent, s.verdict) for s in report.categories}
    assert shares == {
        "meetings": (660, 55.0, "above"),
        "tooling": (420, 35.0, "within"),
        "deliverables": (120, 10.0, "within"),
    }
    assert [d.total for d in report.days] == [480, 720, 0, 0, 0, 0, 0]


def test_json_shape(db: Database, clock: Clock) -> None:
    _seed_week(db, clock)
    data = json.loads(reports.render_json(reports.week_report(db, clock, TUE)))
    assert set(data) == {"week", "start", "total_minutes", "categories", "days"}
    assert data["week"] == "2026-W48" and data["start"] == "2026-11-23"
    assert data["categories"]["meetings"] == {
        "minutes": 660,
        "percent": 55.0,
        "band": [40, 50],
        "verdict": "above",
    }
    assert data["categories"]["deliverables"]["band"] == [10, 25]
    assert len(data["days"]) == 7
    assert data["days"][1] == {
        "date": "2026-11-24",
        "meetings": 360,
        "tooling": 240,
        "deliverables": 120,
    }


def test_empty_week_reads_sensibly(db: Database, clock: Clock) -> None:
    report = reports.week_report(db, clock)
    assert report.total_minutes == 0
    assert all(s.percent == 0.0 for s in report.categories)
    assert "No time logged this week yet" in reports.render_table(report)
    assert "No time logged this week." in reports.render_markdown(report)
    rows = list(csv.reader(io.StringIO(reports.render_csv(report))))
    assert rows[-1] == ["percent", "0.0", "0.0", "0.0", "0.0"]


def test_table_csv_and_markdown_carry_the_same_figures(db: Database, clock: Clock) -> None:
    _seed_week(db, clock)
    report = reports.week_report(db, clock)
    table = reports.render_table(report)
    assert "meetings           11h     55%   40–50 %   above typical" in table
    assert "Tue 24 Nov" in table and "total 20h" in table
    rows = list(csv.reader(io.StringIO(reports.render_csv(report))))
    assert rows[0] == ["date", "meetings", "tooling", "deliverables", "total"]
    assert rows[1] == ["2026-11-23", "300", "180", "0", "480"]
    assert rows[8] == ["total", "660", "420", "120", "1200"]
    md = reports.render_markdown(report)
    assert "**20h logged:** meetings 55 %, tooling 35 %, deliverables 10 %." in md
    assert "| meetings | 11h | 55 % | 40–50 % | above |" in md
    assert "- meetings was above its typical 40–50 % at 55 %." in md


def test_days_follow_local_midnight_across_the_dst_change(db: Database) -> None:
    """Clocks go back on Sunday 25 October 2026 in Berlin: an entry at 23:30 that
    Sunday belongs to week 43, one at 00:30 on Monday to week 44."""
    clock = Clock(datetime(2026, 10, 27, 12, 0, tzinfo=BERLIN))
    late = Clock(datetime(2026, 10, 25, 23, 59, tzinfo=BERLIN))
    early = Clock(datetime(2026, 10, 26, 0, 45, tzinfo=BERLIN))
    timetrack.log_entry(db, late, 29, "tooling")
    timetrack.log_entry(db, early, 15, "meetings")
    w43 = reports.week_report(db, clock, date(2026, 10, 19))
    w44 = reports.week_report(db, clock, date(2026, 10, 26))
    assert [d.total for d in w43.days] == [0, 0, 0, 0, 0, 0, 29]
    assert w44.days[0].total == 15
    assert w43.total_minutes == 29 and w44.total_minutes == 15


def test_a_running_timer_counts_up_to_now(db: Database, clock: Clock) -> None:
    timetrack.start_timer(db, Clock(clock.now() - timedelta(minutes=40)), "deliverables")
    report = reports.week_report(db, clock)
    assert report.total_minutes == 40
    assert report.categories[2].percent == 100.0


def test_top_items_and_the_four_weeks_before(seeded_week_db: tuple[Database, Clock, int]) -> None:
    db, clock, story = seeded_week_db
    view = reports.week_view(db, clock)
    assert [(i.item_id, i.minutes) for i in view.items] == [(story, 180)]
    # W47: meetings 50 %, tooling 50 %; W46: meetings 100 %; W45 and W44 empty.
    assert view.weeks_compared == 2
    assert view.previous == {
        Category.MEETINGS: 75.0,
        Category.TOOLING: 25.0,
        Category.DELIVERABLES: 0.0,
    }
    assert view.target_minutes == 2400
    md = reports.render_week(db, clock, None, "md")
    assert f"- #{story} Export invoices (story): 3h" in md


def test_previous_weeks_with_no_time_give_no_average(db: Database, clock: Clock) -> None:
    previous, counted = reports.previous_shares(db, clock, MON)
    assert counted == 0 and set(previous.values()) == {None}


@pytest.fixture
def seeded_week_db(db: Database, clock: Clock) -> tuple[Database, Clock, int]:
    from tpm_tui.services import backlog

    story = backlog.create_item(db, clock, "story", "Export invoices").id
    timetrack.log_entry(db, clock, 120, "tooling", day=MON, item_id=story)
    timetrack.log_entry(db, clock, 60, "deliverables", day=TUE, item_id=story)
    timetrack.log_entry(db, clock, 30, "meetings", day=TUE)
    timetrack.log_entry(db, clock, 60, "meetings", day=date(2026, 11, 17))  # W47
    timetrack.log_entry(db, clock, 60, "tooling", day=date(2026, 11, 18))  # W47
    timetrack.log_entry(db, clock, 45, "meetings", day=date(2026, 11, 10))  # W46
    timetrack.log_entry(db, clock, 45, "meetings", day=date(2026, 10, 20))  # W43: too old
    return db, clock, story
