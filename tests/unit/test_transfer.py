"""Export and import: a faithful round trip, and hostile files refused untouched."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.db import HEAD_REVISION, Database
from tpm_tui.errors import Conflict, InvalidInput
from tpm_tui.services import backlog, demo, goals, planning, settings, timetrack, transfer

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


def _without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


@pytest.fixture
def exported(seeded: Seeded, clock: Clock) -> dict[str, Any]:
    timetrack.log_entry(seeded.db, clock, 45, "meetings", "planning", item_id=seeded.story)
    timetrack.start_timer(seeded.db, clock, "tooling", "grooming")
    planning.create_milestone(seeded.db, "Beta", date(2026, 12, 15))
    goals.create_goal(seeded.db, clock, "Customers bill themselves")
    backlog.set_archived(seeded.db, clock, seeded.debt, True)
    settings.set_setting(seeded.db, "week-target", "38h")
    return transfer.export_workspace(seeded.db, clock)


def test_export_holds_every_table(exported: dict[str, Any]) -> None:
    assert exported["format"] == "tpm-export" and exported["schema"] == HEAD_REVISION
    assert exported["settings"] == [{"key": "week-target", "value": "2280"}]
    assert [c["key"] for c in exported["columns"]] == [
        "backlog",
        "todo",
        "in_progress",
        "review",
        "done",
    ]
    assert len(exported["items"]) == 5 and len(exported["time_entries"]) == 2
    assert exported["time_entries"][1]["ended_at"] is None
    assert exported["items"][0]["created_at"].endswith("Z")


def test_round_trip_is_identical(exported: dict[str, Any], tmp_path: Any, clock: Clock) -> None:
    from tests.conftest import location_for
    from tpm_tui.db import open_database

    other = open_database(location_for(tmp_path / "other.db"))
    counts = transfer.import_workspace(other, json.loads(json.dumps(exported)), clock=clock).counts
    assert counts["items"] == 5 and counts["time_entries"] == 2
    again = transfer.export_workspace(other, clock)
    assert _without_stamp(again) == _without_stamp(exported)
    # the imported workspace works: the tree, the timer and the archive came along
    assert backlog.rollups(other)[1].total_points == 8
    assert timetrack.running_timer(other, clock) is not None
    assert [i.id for i in backlog.list_items(other, archived=True)] == [5]
    other.close()


def test_demo_round_trips(db: Database, clock: Clock, tmp_path: Any) -> None:
    from tests.conftest import location_for
    from tpm_tui.db import open_database

    demo.build_demo(db, clock)
    data = transfer.export_workspace(db, clock)
    other = open_database(location_for(tmp_path / "copy.db"))
    transfer.import_workspace(other, data, clock=clock)
    assert _without_stamp(transfer.export_workspace(other, clock)) == _without_stamp(data)
    other.close()


def test_import_refuses_a_non_empty_workspace_unless_replace(
    seeded: Seeded, exported: dict[str, Any], clock: Clock
) -> None:
    changed = copy.deepcopy(exported)
    changed["items"][0]["title"] = "Renamed in the file"
    with pytest.raises(Conflict, match="not empty"):
        transfer.import_workspace(seeded.db, changed, clock=clock)
    assert backlog.get_item(seeded.db, 1).title == "Self-serve invoicing"
    transfer.import_workspace(seeded.db, changed, replace=True, clock=clock)
    assert backlog.get_item(seeded.db, 1).title == "Renamed in the file"


def _mutate(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    target: Any = out
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return out


HOSTILE = [
    ("format", "something-else", "not a tpm export"),
    ("version", 99, "export version 99"),
    ("items", {"not": "a list"}, "items: must be a list"),
    ("items.0", "a string", r"items\[0\]: must be an object"),
    ("items.0.title", KeyError, "missing 'title'"),
    ("items.0.id", "1", "must be a whole number"),
    ("items.0.points", True, "must be a whole number"),
    ("items.2.points", 500, "points 500 out of 0–100"),
    ("items.1.id", 1, "duplicate id 1"),
    ("items.1.parent_id", 999, "parent 999 is not in the file"),
    ("items.0.parent_id", 3, "cannot sit under a story"),
    ("items.0.kind", "saga", "unknown kind 'saga'"),
    ("items.0.status", "limbo", "status 'limbo' is not a column"),
    ("items.0.start_date", "2026-02-30", "is not an ISO date"),
    ("items.0.start_date", "9999-01-01", "out of range"),
    ("items.0.created_at", 12345, "must be an ISO date or time as text"),
    ("items.0.title", "x" * 5000, "5000 characters"),
    ("items.0.title", "\x1b[2J", "the title is empty"),
    ("items.0.evil", 1, "unknown field 'evil'"),
    ("time_entries.0.category", "naps", "unknown category 'naps'"),
    ("time_entries.0.ended_at", None, "2 timers running"),
    ("time_entries.0.ended_at", "2020-01-01T00:00:00Z", "ends before it starts"),
    ("time_entries.0.item_id", 404, "item 404 is not in the file"),
    ("columns", [], "at least one column"),
]


@pytest.mark.parametrize(("path", "value", "message"), HOSTILE)
def test_hostile_files_are_refused_and_nothing_changes(
    db: Database, clock: Clock, exported: dict[str, Any], path: str, value: Any, message: str
) -> None:
    """Even with --replace over a full workspace, a bad file changes nothing."""
    with pytest.raises(InvalidInput, match=message) as error:
        transfer.import_workspace(db, _mutate(exported, path, value), replace=True, clock=clock)
    assert str(error.value).startswith("import refused, nothing changed")
    assert _without_stamp(transfer.export_workspace(db, clock)) == _without_stamp(exported)


@pytest.mark.parametrize("data", [None, [], "text", 3, {"format": "tpm-export"}])
def test_not_an_export_at_all(db: Database, data: Any) -> None:
    with pytest.raises(InvalidInput, match="import refused"):
        transfer.import_workspace(db, data)
