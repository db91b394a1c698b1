"""A personal workspace moves to the team and back: `tpm export` from a SQLite file,
`tpm import` into a PostgreSQL database (entries without a person become the importer's),
exported again identical but for that; a server's export keeps everyone's hours visible
in a SQLite file; no export holds credentials."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import NOW, location_for
from tests.postgres import Server
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.services import backlog, demo, goals, planning, reports, timetrack, transfer
from tpm_tui.services.team_report import team_week

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


@pytest.fixture
def server_location(pg_server: Server) -> Location:
    """A fresh, empty team database."""
    return Location(pg_server.url(pg_server.fresh_database()), None, "test")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`opened(location, user)`: the database as that user sees it (closed at the end)."""
    databases: list[Database] = []

    def open_as(location: Location, user: str) -> Database:
        monkeypatch.setenv("TPM_USER", user)
        databases.append(open_database(location))
        return databases[-1]

    yield open_as
    for database in databases:
        database.close()


def test_a_file_moves_to_a_server_and_comes_out_the_same(
    tmp_path: Path, server_location: Location, opened: Any, clock: Clock
) -> None:
    source = opened(location_for(tmp_path / "mine.db"), "ana")
    demo.build_demo(source, clock)
    timetrack.start_timer(source, clock, "tooling", "grooming")
    exported = transfer.export_workspace(source, clock)
    assert {e["person"] for e in exported["time_entries"]} == {""}  # a file's: no names

    team = opened(server_location, "ana")
    transfer.import_workspace(team, json.loads(json.dumps(exported)), clock=clock)
    again = transfer.export_workspace(team, clock)
    expected = copy.deepcopy(exported)
    for entry in expected["time_entries"]:
        entry["person"] = "ana"  # the one difference: the hours are now the importer's
    assert _without_stamp(again) == _without_stamp(expected)

    # the hours are ana's: her week is the file's week
    assert reports.week_report(team, clock) == reports.week_report(source, clock)
    # the imported workspace takes new rows (ids go on after the imported ones) ...
    items, entries = len(exported["items"]), len(exported["time_entries"])
    assert backlog.create_item(team, clock, "story", "After the move").id == items + 1
    assert timetrack.log_entry(team, clock, 15, "meetings", "sync", day=date(2026, 11, 23)).id == (
        entries + 1
    )
    assert planning.create_sprint(team, "Later", date(2027, 3, 1), date(2027, 3, 12)).id == (
        len(exported["sprints"]) + 1
    )
    assert goals.create_goal(team, clock, "Another").id == len(exported["goals"]) + 1
    # ... and the hours are ana's: ben sees none of them
    assert timetrack.running_timer(team, clock) is not None
    ben = opened(server_location, "ben")
    assert reports.week_report(ben, clock).total_minutes == 0
    assert timetrack.running_timer(ben, clock) is None


def test_a_server_export_keeps_everyones_hours_in_a_file(
    tmp_path: Path, server_location: Location, opened: Any, clock: Clock
) -> None:
    ana, ben = opened(server_location, "ana"), opened(server_location, "ben")
    timetrack.log_entry(ana, clock, 60, "meetings", "planning", day=date(2026, 11, 24))
    timetrack.log_entry(ben, clock, 90, "deliverables", "spec", day=date(2026, 11, 24))
    timetrack.start_timer(ana, clock, "tooling", "grooming")
    timetrack.start_timer(ben, clock, "meetings", "1:1")  # one running timer each
    exported = transfer.export_workspace(ana, clock)
    assert sorted(e["person"] for e in exported["time_entries"]) == ["ana", "ana", "ben", "ben"]

    mine = opened(location_for(tmp_path / "copy.db"), "ana")
    transfer.import_workspace(mine, exported, clock=clock)
    assert _without_stamp(transfer.export_workspace(mine, clock)) == _without_stamp(exported)
    # a file is one person's workspace: its report counts every entry, names kept
    assert reports.week_report(mine, clock).total_minutes == 60 + 90
    split = team_week(mine, clock)
    assert [(p.person, p.report.total_minutes) for p in split.people] == [("ana", 60), ("ben", 90)]


def test_two_timers_of_one_person_are_still_refused(
    server_location: Location, opened: Any, clock: Clock
) -> None:
    ana = opened(server_location, "ana")
    timetrack.start_timer(ana, clock, "tooling", "grooming")
    data = transfer.export_workspace(ana, clock)
    twice = copy.deepcopy(data["time_entries"][0])
    twice["id"] = 2
    data["time_entries"].append(twice)
    with pytest.raises(Exception, match="2 timers running for ana; at most one may run"):
        transfer.check_import(data, clock)


def test_an_export_holds_no_credentials(
    pg_server: Server, server_location: Location, tmp_path: Path
) -> None:
    secret = "s3cret-pw"
    url = server_location.url.replace(
        "postgresql+psycopg://tpm@", f"postgresql+psycopg://tpm:{secret}@"
    )
    assert secret in url
    runner = CliRunner()
    env = {"TPM_DB": url, "TPM_HOME": "", "TPM_USER": "ana", "TPM_NOW": NOW.isoformat()}
    assert runner.invoke(cli, ["add", "story", "Kept"], env=env).exit_code == 0
    assert runner.invoke(cli, ["log", "30m", "meetings"], env=env).exit_code == 0
    out = tmp_path / "team.json"
    done = runner.invoke(cli, ["export", str(out)], env=env)
    assert done.exit_code == 0, done.output
    for text in (done.output, out.read_text(), runner.invoke(cli, ["export"], env=env).output):
        assert secret not in text and str(pg_server.socket_dir) not in text
