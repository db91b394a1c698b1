"""`tpm report status` within reach of `tpm report`: it loads only what it prints (no
view classes of the backlog, roadmap, goals or sprints), its figures are those of the
services it no longer imports (roadmap, goals), and the days it names for stale items
are each item's local day, read in order without converting every row — across
clock changes too."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, Seeded, location_for
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.services import backlog, goals, progress, status_report
from tpm_tui.services.demo import build_demo
from tpm_tui.services.roadmap import load_roadmap
from tpm_tui.sql import compiled as q

_MODULES = (
    "import json, runpy, sys\n"
    "sys.argv = ['tpm', '--db', sys.argv[1], *sys.argv[2:]]\n"
    "try:\n"
    "    runpy.run_module('tpm_tui', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)


def _loaded(db_path: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES, str(db_path), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_the_status_report_loads_only_its_own_modules_beyond_the_weeks(
    seeded: Seeded, db_path: Path
) -> None:
    week = _loaded(db_path, "report")
    status = _loaded(db_path, "report", "status")
    assert status - week == {
        "tpm_tui.services.status_report",
        "tpm_tui.services.progress",
        "tpm_tui.timescale",
    }


def _roadmap_lines(db: Database, clock: Clock) -> list[status_report.RoadmapLine]:
    with db.read() as ex:
        return status_report.roadmap_lines(ex, progress.parent_sums(ex), clock.today())


def _goal_lines(db: Database) -> list[status_report.GoalLine]:
    with db.read() as ex:
        return status_report.goal_lines(ex, progress.parent_sums(ex))


def _same_figures(db: Database, clock: Clock) -> None:
    expected = [
        (
            r.item.id,
            r.item.kind,
            r.item.title,
            r.item.start_date,
            r.item.target_date,
            r.depth,
            r.done_percent,
            r.status,
        )
        for r in load_roadmap(db, clock).rows
    ]
    assert _roadmap_lines(db, clock) == expected
    assert _goal_lines(db) == [
        (g.id, g.title, g.outcome_percent, g.output_percent, g.output_ahead)
        for g in goals.goal_progress(db)
    ]


@pytest.mark.both_engines
def test_the_reports_figures_are_the_roadmaps_and_the_goals(db: Database, clock: Clock) -> None:
    build_demo(db, clock)
    epic = backlog.create_item(db, clock, "epic", "Archived later", owner="")
    backlog.create_item(db, clock, "story", "Under it", points=3, parent_id=epic.id, owner="")
    goals.link_epic(db, clock, epic.id, 1)
    backlog.set_archived(db, clock, epic.id, True)
    _same_figures(db, clock)
    assert any(line[7] is not line[7].DONE for line in _roadmap_lines(db, clock))
    assert _goal_lines(db)


@st.composite
def plans(draw: st.DrawFn) -> list[tuple[str, int, int, int, int, int, bool]]:
    """Epics, features and leaves: kind, parent (an earlier item, 0 for none), column,
    points, start and target offsets in days, archived."""
    out = []
    for n in range(draw(st.integers(1, 14))):
        out.append(
            (
                draw(st.sampled_from(("epic", "feature", "story", "bug", "debt"))),
                draw(st.integers(0, n)),
                draw(st.integers(0, 4)),
                draw(st.integers(0, 8)),
                draw(st.integers(-90, 60)),
                draw(st.integers(-30, 120)),
                draw(st.booleans()),
            )
        )
    return out


@pytest.fixture(scope="module")
def goal_workspace(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A workspace with two goals and key results, items replaced per example."""
    path = tmp_path_factory.mktemp("figures") / "tpm.db"
    db = open_database(location_for(path))
    clock = Clock(NOW)
    for title, (baseline, target, value) in (("Bill", (10, 40, 25)), ("Pay", (5, 1, 4))):
        goal = goals.create_goal(db, clock, title)
        kr = goals.add_key_result(db, clock, goal.id, "Metric", baseline, target, "%")
        goals.record_value(db, clock, kr.id, value)
    return db


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_random_workspaces_give_the_services_figures(
    goal_workspace: Database, plan: list[tuple[str, int, int, int, int, int, bool]]
) -> None:
    db = goal_workspace
    assert db.file is not None
    columns = ("backlog", "todo", "in_progress", "review", "done")
    day = NOW.date()
    conn = sqlite3.connect(db.file)
    conn.execute("DELETE FROM work_item")
    conn.executemany(
        "INSERT INTO work_item (id, kind, parent_id, goal_id, title, description, acceptance,"
        " status, rank, points, owner, start_date, target_date, created_at, updated_at,"
        " archived_at) VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?, '', ?, ?,"
        " '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000', ?)",
        [
            (
                n + 1,
                kind,
                parent or None,
                1 + n % 2 if kind == "epic" else None,
                f"Item {n}",
                columns[column],
                n,
                points or None,
                (day + timedelta(start)).isoformat() if n % 3 else None,
                (day + timedelta(target)).isoformat() if n % 4 else None,
                "2026-11-02 09:00:00.000000" if archived else None,
            )
            for n, (kind, parent, column, points, start, target, archived) in enumerate(plan)
        ],
    )
    conn.commit()
    conn.close()
    _same_figures(db, Clock(NOW))


@pytest.mark.both_engines
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe"])
def test_stale_items_name_each_ones_local_day_across_clock_changes(db: Database, zone: str) -> None:
    """Changes every 97 minutes over two weeks around a zone's clock change (Santiago
    changes at midnight, Lord Howe by half an hour): every day named is that item's
    own local day."""
    tz = ZoneInfo(zone)
    first = datetime(2026, 10, 20, tzinfo=UTC) if zone == "Europe/Berlin" else None
    moment = first or datetime(2026, 3, 28, tzinfo=UTC)
    changed: dict[int, datetime] = {}
    for n in range(200):
        moment += timedelta(minutes=97)
        item = backlog.create_item(
            db, Clock(moment, tz), "story", f"Card {n}", status="in_progress", owner=""
        )
        changed[item.id] = moment
    clock = Clock(datetime(2026, 12, 1, 12, tzinfo=tz))
    with db.read() as ex:
        columns = ex.rows(q.columns_all)
        stale = status_report.stale_items(ex, clock, columns, date(2026, 12, 1))
    assert [s[0] for s in stale] == sorted(changed, key=lambda i: (changed[i], i))
    for item_id, _kind, _title, _owner, column, since in stale:
        assert column == "In Progress"
        assert since == changed[item_id].astimezone(tz).date(), item_id


_SWITCH = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)


class _TurnedBack(tzinfo):
    """UTC+1 until _SWITCH, then UTC-1: a clock turned back two hours across midnight,
    so local days run 10 Nov, 11 Nov, then 10 Nov again for two hours."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        naive = dt.replace(tzinfo=None)
        start, end = datetime(2026, 11, 10, 22, 30), datetime(2026, 11, 11, 0, 30)
        if naive < start or (naive < end and not dt.fold):
            return timedelta(hours=1)
        return timedelta(hours=-1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "TURNED"

    def fromutc(self, dt: datetime) -> datetime:
        if dt.replace(tzinfo=UTC) < _SWITCH:
            return dt + timedelta(hours=1)
        local = dt - timedelta(hours=1)
        return (
            local.replace(fold=1) if local < datetime(2026, 11, 11, 0, 30, tzinfo=self) else local
        )


def test_a_clock_turned_back_across_midnight_names_each_items_own_day(db: Database) -> None:
    tz = _TurnedBack()
    moment = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    changed: dict[int, datetime] = {}
    for n in range(30):
        moment += timedelta(minutes=13)
        item = backlog.create_item(db, Clock(moment), "story", f"Card {n}", status="review")
        changed[item.id] = moment
    days = [changed[i].astimezone(tz).date() for i in changed]
    # The changes' local days go back: an 11 Nov comes before the last 10 Nov.
    assert days.index(date(2026, 11, 11)) < len(days) - 1 - days[::-1].index(date(2026, 11, 10))
    clock = Clock(datetime(2026, 12, 1, 12, tzinfo=tz))
    with db.read() as ex:
        stale = status_report.stale_items(ex, clock, ex.rows(q.columns_all), date(2026, 12, 1))
    assert [(s[0], s[5]) for s in stale] == [(i, changed[i].astimezone(tz).date()) for i in changed]
