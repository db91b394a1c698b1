"""What an import accepts is what the services could have stored, no more (cycles,
entries over a day, timers in the future, ids ≤ 0, settings `tpm config` would refuse,
dates out of range), and no less (export ⊂ import). The file itself: a regular file
under the size cap, or capped standard input; its name shown without escapes."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, Seeded, location_for, run_tpm
from tpm_tui import cli as climod
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog, goals, planning, timetrack, transfer
from tpm_tui.services import settings as settings_service
from tpm_tui.services.validate import DATE_MAX, DATE_MIN

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


@pytest.fixture
def exported(seeded: Seeded, clock: Clock) -> dict[str, Any]:
    timetrack.log_entry(seeded.db, clock, 45, "meetings", "planning", item_id=seeded.story)
    backlog.add_dependency(seeded.db, seeded.story, seeded.bug)
    settings_service.set_setting(seeded.db, "week-target", "38h")
    return transfer.export_workspace(seeded.db, clock)


def _refused(db: Database, clock: Clock, data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as error:
        transfer.import_workspace(db, data, replace=True, clock=clock)
    assert str(error.value).startswith("import refused, nothing changed")


def test_a_dependency_cycle_is_refused(
    db: Database, clock: Clock, exported: dict[str, Any]
) -> None:
    data = copy.deepcopy(exported)
    story, bug = data["dependencies"][0]["item_id"], data["dependencies"][0]["blocked_by_id"]
    data["dependencies"].append({"item_id": bug, "blocked_by_id": story})
    _refused(db, clock, data, "cycle")


def test_a_longer_dependency_cycle_is_refused(
    db: Database, clock: Clock, exported: dict[str, Any]
) -> None:
    data = copy.deepcopy(exported)
    ids = [it["id"] for it in data["items"]][:4]
    data["dependencies"] = [
        {"item_id": a, "blocked_by_id": b} for a, b in zip(ids, [*ids[1:], ids[0]], strict=True)
    ]
    _refused(db, clock, data, "cycle")


def test_an_entry_longer_than_a_day_is_refused(
    db: Database, clock: Clock, exported: dict[str, Any]
) -> None:
    data = copy.deepcopy(exported)
    data["time_entries"][0]["started_at"] = "2026-11-20T08:00:00Z"
    data["time_entries"][0]["ended_at"] = "2026-11-21T08:01:00Z"
    _refused(db, clock, data, "more than 24h")


def test_a_timer_starting_in_the_future_is_refused(
    db: Database, clock: Clock, exported: dict[str, Any]
) -> None:
    data = copy.deepcopy(exported)
    later = (NOW + timedelta(hours=2)).astimezone(UTC).isoformat()
    data["time_entries"][0]["started_at"] = later
    data["time_entries"][0]["ended_at"] = None
    _refused(db, clock, data, "in the future")


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("items", "id"),
        ("time_entries", "id"),
        ("sprints", "id"),
        ("goals", "id"),
        ("milestones", "id"),
    ],
)
@pytest.mark.parametrize("value", [0, -1, -(2**40)])
def test_ids_must_be_positive(
    db: Database,
    clock: Clock,
    exported: dict[str, Any],
    section: str,
    field: str,
    value: int,
) -> None:
    data = copy.deepcopy(exported)
    if not data[section]:
        data[section] = [_ROW[section]]
    data[section][0][field] = value
    _refused(db, clock, data, "must be a positive")


_ROW: dict[str, dict[str, Any]] = {
    "goals": {"id": 9, "title": "G", "description": "", "position": 0, "created_at": "2026-11-01"},
    "milestones": {"id": 9, "title": "M", "date": "2026-12-01"},
    "sprints": {"id": 9, "name": "S9", "start_date": "2026-12-01", "end_date": "2026-12-14"},
}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("week-target", "abc", "abc"),
        ("week-target", "0", "1h to 168h"),
        ("week-target", "99999", "1h to 168h"),
        ("colour", "blue", "unknown setting 'colour'"),
    ],
)
def test_settings_are_checked_as_tpm_config_checks_them(
    db: Database, clock: Clock, exported: dict[str, Any], key: str, value: str, message: str
) -> None:
    data = copy.deepcopy(exported)
    data["settings"] = [{"key": key, "value": value}]
    _refused(db, clock, data, message)


def test_a_valid_setting_is_imported_and_shows(db: Database, clock: Clock, tmp_path: Path) -> None:
    source = open_database(location_for(tmp_path / "source.db"))
    settings_service.set_setting(source, "week-target", "37h30m")
    data = transfer.export_workspace(source, clock)
    source.close()
    transfer.import_workspace(db, data, clock=clock)
    assert settings_service.all_settings(db)[0][1] == "37h30m"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("time_entries.0.started_at", "1969-12-30T09:00:00Z"),
        ("time_entries.0.ended_at", "2200-01-04T09:00:00Z"),
        ("items.0.start_date", "1969-12-31"),
        ("sprints.0.end_date", "2200-01-01"),
    ],
)
def test_dates_out_of_the_one_range_are_refused(
    db: Database, clock: Clock, exported: dict[str, Any], path: str, value: str
) -> None:
    data = copy.deepcopy(exported)
    section, index, field = path.split(".")
    data[section][int(index)][field] = value
    _refused(db, clock, data, "out of range")


# ------------------------------------------------------------ export ⊂ import

ZONES = [timezone(timedelta(hours=h)) for h in (-12, -5, 0, 1, 5.5, 14)]


def test_a_timer_started_by_a_clock_before_the_range_is_refused_at_entry(
    tmp_path: Path,
) -> None:
    """1970-01-01T00:30+01:00 is 1969-12-31T23:30Z, before any day tpm keeps: refused
    when the timer starts (so an export never holds what an import would refuse)."""
    clock = Clock(datetime(1970, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    source = open_database(location_for(tmp_path / "a.db"))
    with pytest.raises(InvalidInput, match="out of range"):
        timetrack.start_timer(source, clock, "meetings", "first")
    assert transfer.export_workspace(source, clock)["time_entries"] == []
    source.close()


def test_when_things_happened_comes_back_as_it_went_out(tmp_path: Path) -> None:
    """An item made by a clock set to 1969 keeps its created time through a round trip
    (only the time an entry covers is held to the range)."""
    clock = Clock(datetime(1969, 12, 31, 12, 0, tzinfo=UTC))
    source = open_database(location_for(tmp_path / "a.db"))
    backlog.create_item(source, clock, "story", "Made by a wrong clock")
    data = transfer.export_workspace(source, clock)
    assert data["items"][0]["created_at"] == "1969-12-31T12:00:00Z"
    target = open_database(location_for(tmp_path / "b.db"))
    transfer.import_workspace(target, json.loads(json.dumps(data)), clock=clock)
    assert transfer.export_workspace(target, clock)["items"] == data["items"]
    source.close()
    target.close()


_TEMPLATE: list[Path] = []


def _fresh(path: Path, factory: pytest.TempPathFactory) -> Path:
    """A new empty workspace, copied from one made once (migrating each is slow)."""
    if not _TEMPLATE:
        template = factory.mktemp("template") / "empty.db"
        open_database(location_for(template)).close()
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], path)
    return path


DAYS = st.one_of(
    st.sampled_from([DATE_MIN, DATE_MIN + timedelta(days=1), DATE_MAX - timedelta(days=1)]),
    st.dates(DATE_MIN, DATE_MAX),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    day=DAYS,
    zone=st.sampled_from(ZONES),
    at=st.times(),
    minutes=st.integers(1, 24 * 60),
    points=st.one_of(st.none(), st.integers(0, 100)),
    start=st.one_of(st.none(), DAYS),
)
def test_whatever_the_services_store_an_import_accepts(
    tmp_path_factory: pytest.TempPathFactory,
    day: date,
    zone: timezone,
    at: time,
    minutes: int,
    points: int | None,
    start: date | None,
) -> None:
    folder = tmp_path_factory.mktemp("subset")
    clock = Clock(datetime.combine(day, at, tzinfo=zone))
    source = open_database(location_for(_fresh(folder / "a.db", tmp_path_factory)))
    try:
        epic = backlog.create_item(source, clock, "epic", "E", start_date=start, target_date=start)
        backlog.create_item(source, clock, "story", "S", points=points, parent_id=epic.id)
        planning.create_sprint(source, "S1", day, day)
        planning.create_milestone(source, "M", day)
        goals.create_goal(source, clock, "G")
        # (days before DATE_MIN are for the entry side to refuse: `tpm log --date`)
        for when in {max(day - timedelta(days=1), DATE_MIN), day}:
            with contextlib.suppress(InvalidInput):  # refused at entry: not in the export
                timetrack.log_entry(source, clock, minutes, "tooling", "x", day=when)
        timetrack.start_timer(source, clock, "meetings", "timer")
        data = json.loads(json.dumps(transfer.export_workspace(source, clock)))
    finally:
        source.close()
    target = open_database(location_for(_fresh(folder / "b.db", tmp_path_factory)))
    try:
        transfer.import_workspace(target, data, clock=clock)
        again = transfer.export_workspace(target, clock)
    finally:
        target.close()
    data.pop("exported_at")
    again.pop("exported_at")
    assert again == data


# ------------------------------------------------------------ the file itself


def test_a_device_is_refused(tmp_path: Path) -> None:
    result = run_tpm("import", "/dev/zero", db_path=tmp_path / "tpm.db")
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and result.stderr.count("\n") == 1


def test_a_folder_and_a_fifo_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path):
        result = run_tpm("import", str(target), db_path=tmp_path / "tpm.db")
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_file_over_the_cap_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(climod, "IMPORT_MAX_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(" " * 1001)
    with pytest.raises(InvalidInput, match="larger than"):
        climod.read_import(big)


def test_standard_input_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(climod, "IMPORT_MAX_BYTES", 1000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 5000)))
    with pytest.raises(InvalidInput, match="larger than"):
        climod.read_import(Path("-"))


def test_standard_input_of_dev_zero_is_capped(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        result = subprocess_run_import(tmp_path, zero)
    assert result.returncode == 2 and "larger than" in result.stderr


def subprocess_run_import(tmp_path: Path, stdin: Any) -> Any:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": str(tmp_path / "tpm.db"), "TPM_NOW": NOW.isoformat()})
    return subprocess.run(
        [sys.executable, "-m", "tpm_tui", "import", "-"],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["import", "restore", "export"])
def test_file_names_are_shown_without_escape_sequences(tmp_path: Path, command: str) -> None:
    name = "bad\x1b]0;pwned\x07\x1b[2Jname"
    target = tmp_path / "missing" / name
    result = run_tpm(command, str(target), db_path=tmp_path / "tpm.db")
    assert result.returncode in (1, 2), result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "badname" in result.stderr
