"""Where an entry logged without a time goes: after the day's last entry when that fits
before now, else in the latest free gap of the day long enough for it (ending where
the gap ends), and only when nothing is free does it end now, overlapping (issue 10,
item 9). The quick log places through the same service function."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import BERLIN, NOW, location_for
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.services import timetrack
from tpm_tui.timekeeper import TimeKeeper
from tpm_tui.workspace import Workspace

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


def at(hour: int, minute: int) -> Clock:
    """The test day (Thu 26 Nov 2026, Berlin) at hour:minute."""
    return Clock(datetime(2026, 11, 26, hour, minute, tzinfo=BERLIN))


def _times(entry: timetrack.EntryView | timetrack.EntryPlan) -> tuple[str, str]:
    assert entry.ended_at is not None
    return f"{entry.started_at:%H:%M}", f"{entry.ended_at:%H:%M}"


def test_logs_in_a_row_fill_the_free_time_before_the_first_one(db: Database) -> None:
    clock = at(14, 18)
    logged = [timetrack.log_entry(db, clock, m, c) for m, c in [(90, "m"), (60, "t"), (30, "m")]]
    assert [_times(e) for e in logged] == [
        ("12:48", "14:18"),
        ("11:48", "12:48"),
        ("11:18", "11:48"),
    ]
    day = timetrack.entries_for_day(db, clock, NOW.date())
    assert timetrack.overlapping(day, clock.now()) == set()
    assert timetrack.status(db, clock).today_total == 180


def test_the_latest_gap_long_enough_is_taken(db: Database) -> None:
    clock = at(14, 0)
    for starts, ends in [(time(9), time(9, 30)), (time(11), time(13)), (time(13, 30), time(14))]:
        timetrack.log_entry(db, clock, None, "m", starts=starts, ends=ends)
    # 13:00-13:30 is too short for 45m; 09:30-11:00 is the latest that holds it
    assert _times(timetrack.log_entry(db, clock, 45, "t")) == ("10:15", "11:00")
    assert _times(timetrack.log_entry(db, clock, 30, "t")) == ("13:00", "13:30")
    assert _times(timetrack.check_entry(db, clock, 2 * 60, "d")) == ("07:00", "09:00")


def test_a_running_timer_is_time_taken(db: Database) -> None:
    timetrack.start_timer(db, at(13, 0), "m")
    entry = timetrack.log_entry(db, at(14, 0), 30, "t")
    assert _times(entry) == ("12:30", "13:00")
    assert timetrack.overlapping_entries(db, at(14, 0), entry) == []


def test_after_the_days_last_entry_when_that_fits_before_now(db: Database) -> None:
    timetrack.log_entry(db, at(9, 30), 30, "m")  # 09:00-09:30
    assert _times(timetrack.log_entry(db, at(14, 0), 30, "t")) == ("09:30", "10:00")


def test_nothing_free_ends_now_and_overlaps(db: Database) -> None:
    clock = at(10, 0)
    first = timetrack.log_entry(db, clock, 9 * 60 + 30, "m")  # 00:30-10:00
    second = timetrack.log_entry(db, clock, 60, "t")  # only 00:00-00:30 is free
    assert _times(second) == ("09:00", "10:00")
    assert [e.id for e in timetrack.overlapping_entries(db, clock, second)] == [first.id]


def test_an_earlier_day_that_is_full_after_nine_uses_its_morning(db: Database) -> None:
    day = date(2026, 11, 24)
    timetrack.log_entry(db, at(12, 0), None, "m", day=day, starts=time(9), ends=time(23, 30))
    entry = timetrack.log_entry(db, at(12, 0), 60, "t", day=day)
    assert (entry.started_at.date(), _times(entry)) == (day, ("08:00", "09:00"))


def test_the_cli_sequence_of_issue_10_item_9_does_not_overlap(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"TPM_DB": f"{tmp_path}/tpm.db", "TPM_HOME": "", "TPM_NOW": at(14, 18).now().isoformat()}
    said = []
    for args in (["log", "90m", "m"], ["log", "1h", "t"], ["log", "30m", "m"]):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "overlaps" not in result.output
        said.append(result.stdout.strip())
    assert said == [
        "logged 1h30m meetings (Thu 26 Nov 12:48–14:18)",
        "logged 1h tooling (Thu 26 Nov 11:48–12:48)",
        "logged 30m meetings (Thu 26 Nov 11:18–11:48)",
    ]


def test_the_quick_log_places_the_same_way(tmp_path: Path) -> None:
    workspace = Workspace(location_for(tmp_path / "tpm.db"), at(14, 18))
    keeper = TimeKeeper(workspace)
    try:
        keeper.quick_save("90m m")
        assert keeper.quick_check("1h t") == "1h · tooling"  # no overlap to name
        assert keeper.quick_save("1h t") == "Logged 1h tooling (Thu 26 Nov 11:48–12:48)"
        assert keeper.quick_save("30m m") == "Logged 30m meetings (Thu 26 Nov 11:18–11:48)"
    finally:
        workspace.close()
