"""Export and import carry sprints (closed, with velocity and retro), the team, its
days away and the item history; an export from before them still imports, its
history told from the items' own times."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import location_for
from tests.unit.test_sprints import MONDAY, at
from tpm_tui.db import Database, open_database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog, planning, sprints, team, transfer

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


def _workspace(db: Database) -> int:
    sprint = planning.create_sprint(db, "Sprint 25", MONDAY, date(2026, 12, 6), "Beta", 30)
    a = backlog.create_item(db, at(23, 9), "story", "A", points=5)
    b = backlog.create_item(db, at(23, 9), "bug", "B", points=3)
    sprints.add_items(db, at(23, 10), sprint.id, [a.id, b.id])
    backlog.move_item(db, at(24, 10), a.id, "done")
    sprints.close_sprint(db, at(26, 9), sprint.id, None)
    sprints.save_retro(db, sprint.id, "# Retro\n\n## Actions\n\n- [ ] fix CI\n")
    team.add_member(db, "ana", 80)
    team.add_away(db, "ana", date(2026, 12, 1), date(2026, 12, 2))
    return sprint.id


def _other(tmp_path: Path, name: str) -> Database:
    return open_database(location_for(tmp_path / name / "tpm.db"))


def test_round_trip_is_identical(db: Database, tmp_path: Path) -> None:
    _workspace(db)
    first = transfer.export_workspace(db, at(26, 12))
    assert first["item_events"] and first["team"] and first["team_away"]
    assert first["sprints"][0]["velocity"] == 5 and first["sprints"][0]["retro"].startswith("#")
    other = _other(tmp_path, "b")
    transfer.import_workspace(other, json.loads(json.dumps(first)), clock=at(26, 12))
    second = transfer.export_workspace(other, at(26, 12))
    first.pop("exported_at")
    second.pop("exported_at")
    assert second == first
    other.close()


def test_an_export_from_before_sprints_closed_imports_with_its_history_told(
    db: Database, tmp_path: Path
) -> None:
    sprint_id = _workspace(db)
    old = transfer.export_workspace(db, at(26, 12))
    for section in ("item_events", "team", "team_away"):
        del old[section]
    for row in old["sprints"]:
        for field in ("capacity", "velocity", "closed_at", "retro"):
            del row[field]
    other = _other(tmp_path, "old")
    transfer.import_workspace(other, old, clock=at(26, 12))
    report = sprints.sprint_report(other, at(26, 12), sprint_id)
    # A (in the sprint now) created on Monday, done on Tuesday: the burndown reads its
    # times; B was carried out at the close, which its row no longer tells
    assert [d.remaining for d in report.burndown] == [5, 0, 0, 0]
    assert report.done == 5 and not report.sprint.closed
    other.close()


def test_an_event_of_an_unknown_item_is_refused(db: Database) -> None:
    _workspace(db)
    data = transfer.export_workspace(db, at(26, 12))
    data["item_events"][0]["item_id"] = 999
    with pytest.raises(InvalidInput, match="item 999 is not in the file"):
        transfer.check_import(data, at(26, 12))
    data = transfer.export_workspace(db, at(26, 12))
    data["team"].append(dict(data["team"][0], id=2, name="ANA"))
    with pytest.raises(InvalidInput, match="two people share a name"):
        transfer.check_import(data, at(26, 12))
