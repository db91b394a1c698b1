"""The sprint, team, stand-up and column commands through click's runner: the JSON
contract of `tpm sprint show`, refusals in one line with the right exit code, and what
each command leaves in the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.cli_runner import cli_env
from tests.conftest import NOW
from tests.unit.test_sprints import SHOW_KEYS
from tpm_tui.cli import cli
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog, planning

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.both_engines,  # the commands behave the same on PostgreSQL
]


@pytest.fixture
def tpm(workspace_location: Location) -> Any:
    """Run `tpm ARGS...` against a fresh database with the frozen clock (Thu 26 Nov)."""
    runner = CliRunner()
    env = {**cli_env(workspace_location), "TPM_NOW": NOW.isoformat()}

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    run.path = workspace_location.path  # type: ignore[attr-defined]
    run.location = workspace_location  # type: ignore[attr-defined]
    return run


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _refused(result: Result, code: int, words: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr


def test_sprint_show_json_has_the_contract_keys(tpm: Any) -> None:
    _ok(tpm("sprint", "new", "Sprint 25", "--start", "mon", "--length", "2w", "--goal", "Beta"))
    _ok(tpm("add", "story", "Export invoices", "--points", "5"))
    _ok(tpm("add", "bug", "Totals wrap", "--points", "2"))
    _ok(tpm("sprint", "add", "current", "1", "2"))
    _ok(tpm("move", "1", "done"))
    shown = json.loads(_ok(tpm("sprint", "show", "--format", "json")).stdout)
    assert list(shown) == SHOW_KEYS
    assert (shown["name"], shown["start"], shown["end"], shown["goal"]) == (
        "Sprint 25",
        "2026-11-23",
        "2026-12-06",
        "Beta",
    )
    # started Monday, planned on Thursday: all of it came in after the first day
    assert (shown["committed_points"], shown["added_points"], shown["done_points"]) == (0, 7, 5)
    assert shown["remaining_points"] == 2
    assert [d["date"] for d in shown["burndown"]] == [f"2026-11-{d}" for d in (23, 24, 25, 26)]
    assert set(shown["burndown"][0]) == {"date", "remaining", "ideal"}
    assert shown["items"][1] == {
        "id": 1,
        "title": "Export invoices",
        "kind": "story",
        "points": 5,
        "status": "done",
    }
    listed = json.loads(_ok(tpm("sprint", "list", "--format", "json")).stdout)
    assert [(s["name"], s["state"]) for s in listed] == [("Sprint 25", "running")]
    assert "| Export invoices |" in _ok(tpm("sprint", "show", "--format", "md")).stdout


def test_refusals_are_one_line(tpm: Any) -> None:
    # a sprint, item or person that does not exist is bad input (exit 2), as elsewhere
    _refused(tpm("sprint", "show"), 2, "no sprint yet")
    _ok(tpm("sprint", "new", "S1", "--start", "2026-11-23", "--end", "2026-12-06"))
    _refused(
        tpm("sprint", "new", "S2", "--start", "2026-12-01", "--length", "2w"), 2, "overlaps S1"
    )
    _refused(tpm("sprint", "new", "S3", "--start", "2026-12-07"), 2, "--end")
    _refused(tpm("sprint", "new", "S3", "--start", "2026-12-07", "--length", "2x"), 2, "2x")
    _refused(tpm("sprint", "add", "S9", "1"), 2, "S9")
    _refused(tpm("sprint", "edit", "S1", "--capacity", "lots"), 2, "--capacity")
    _refused(tpm("team", "add", "ana", "--focus", "3"), 2, "focus")
    _refused(tpm("team", "away", "nobody", "2026-12-01"), 2, "nobody")
    _refused(tpm("config", "wip.nope", "3"), 2, "nope")
    # names a command could not reach the sprint by (they mean something else there)
    for name in ("current", "None", "backlog", "12", "#3"):
        later = ("--start", "2027-01-04", "--length", "1w")
        _refused(tpm("sprint", "new", name, *later), 2, "cannot name a sprint")
    _refused(tpm("sprint", "edit", "S1", "--name", "-"), 2, "cannot name a sprint")


def test_close_carries_over_and_refuses_twice(tpm: Any) -> None:
    _ok(tpm("sprint", "new", "S1", "--start", "2026-11-16", "--end", "2026-11-25"))
    _ok(tpm("sprint", "new", "S2", "--start", "2026-11-26", "--length", "2w"))
    for title in ("A", "B"):
        _ok(tpm("add", "story", title, "--points", "3", "--sprint", "S1"))
    _ok(tpm("move", "1", "done"))
    # no terminal to ask on: say where the unfinished items go
    _refused(tpm("sprint", "close", "S1"), 2, "--carry-to 'S2'")
    review = _ok(tpm("sprint", "close", "S1", "--carry-to", "S2")).stdout
    assert "closed S1: velocity 3 (done points)" in review and "#2 B (3 pts) → S2" in review
    _refused(tpm("sprint", "close", "S1", "--carry-to", "S2"), 2, "S1 was closed")
    db = open_database(tpm.location)
    try:
        s1, s2 = planning.list_sprints(db)
        assert s1.closed and s1.velocity == 3
        assert backlog.get_item(db, 2).sprint_id == s2.id
        assert backlog.get_item(db, 1).sprint_id == s1.id
    finally:
        db.close()


def test_adding_someone_again_keeps_their_focus(tpm: Any) -> None:
    assert "added bob (focus 70%)" in _ok(tpm("team", "add", "bob")).stdout
    assert "bob: focus 40%" in _ok(tpm("team", "add", "bob", "--focus", "0.4")).stdout
    again = _ok(tpm("team", "add", "BOB")).stdout
    assert again.strip() == "bob is already in the team (focus 40%)"
    assert "bob" in _ok(tpm("team", "list")).stdout and "40%" in _ok(tpm("team", "list")).stdout
    away = _ok(tpm("team", "away", "bob", "2026-12-02")).stdout
    assert away.strip() == "bob away 2026-12-02 (1 working day)"


def test_days_away_come_back_and_people_leave(tpm: Any) -> None:
    _ok(tpm("sprint", "new", "S1", "--start", "2026-11-30", "--end", "2026-12-11"))
    _ok(tpm("team", "add", "ana", "--focus", "1"))
    _ok(tpm("team", "add", "ben", "--focus", "1"))
    _ok(tpm("team", "away", "ana", "2026-12-01..2026-12-04"))  # Tue–Fri
    back = _ok(tpm("team", "away", "ana", "2026-12-02..2026-12-03", "--remove")).stdout
    assert back.strip() == "ana not away 2026-12-02 – 2026-12-03 (2 working days back)"
    listed = _ok(tpm("team", "list")).stdout
    assert "ana" in listed and "away 2026-12-01, 2026-12-04" in listed  # split in two
    capacity = _ok(tpm("sprint", "capacity", "S1")).stdout
    assert "ana: 10 working days − 2 away = 8" in capacity
    gone = _ok(tpm("team", "remove", "ANA")).stdout
    assert gone.strip() == "removed ana and 2 stretches of days away from the team"
    assert "ana" not in _ok(tpm("team", "list")).stdout
    assert "ana" not in _ok(tpm("sprint", "capacity", "S1")).stdout
    _refused(tpm("team", "remove", "ana"), 2, "no 'ana' in the team")
    _refused(tpm("team", "away", "ben", "2026-12-01", "--remove", "--bogus"), 2, "--bogus")


def test_team_capacity_and_standup(tpm: Any) -> None:
    _ok(tpm("sprint", "new", "S1", "--start", "2026-11-23", "--length", "2w", "--capacity", "20"))
    _ok(tpm("team", "add", "ana", "--focus", "0.8"))
    _ok(tpm("team", "away", "ana", "2026-11-30..2026-12-01"))
    capacity = _ok(tpm("sprint", "capacity")).stdout
    assert "ana: 10 working days − 2 away = 8 × 80% focus = 6.4 person-days" in capacity
    assert "set by hand for this sprint: 20 pts (that wins)" in capacity
    _ok(tpm("sprint", "edit", "S1", "--capacity", "none"))
    assert "S1: capacity 6 pts" in _ok(tpm("sprint", "capacity", "S1")).stdout
    _ok(tpm("add", "story", "Export", "--points", "5", "--owner", "ana"))
    _ok(tpm("move", "1", "in_progress"))
    standup = _ok(tpm("standup", "--format", "md")).stdout
    assert standup.startswith("## Stand-up Thu 26 Nov 2026 (done since Wed 25 Nov)")
    assert "### ana\n- **in progress:** #1 Export (5 pts)" in standup


def test_wip_and_columns_are_settings(tpm: Any) -> None:
    assert _ok(tpm("config", "wip.review", "4")).stdout == "wip.review = 4\n"
    assert _ok(tpm("config", "wip.review")).stdout == "4\n"
    listed = _ok(tpm("config")).stdout.splitlines()
    # in the same columns as the other settings, a long key still apart from its value
    assert "wip.review    4         WIP limit of Review" in listed
    assert "wip.in_progress 5         WIP limit of In Progress" in listed
    wip = next(line for line in listed if line.startswith("wip.backlog"))
    assert listed[0].index("40h") == wip.index("none") == 14
    _ok(tpm("column", "rename", "review", "Code review"))
    _ok(tpm("column", "add", "QA", "--wip", "2", "--after", "review"))
    _ok(tpm("add", "story", "Export", "--status", "qa"))
    _refused(tpm("column", "remove", "qa"), 2, "QA holds 1 item")
    _ok(tpm("column", "remove", "todo"))
    db = open_database(tpm.location)
    try:
        columns = [(c.key, c.name, c.wip_limit) for c in backlog.list_columns(db)]
    finally:
        db.close()
    assert columns == [
        ("backlog", "Backlog", None),
        ("in_progress", "In Progress", 5),
        ("review", "Code review", 4),
        ("qa", "QA", 2),
        ("done", "Done", None),
    ]
    _ok(tpm("config", "wip.review", "none"))
    listed = _ok(tpm("column", "list")).stdout.splitlines()
    assert listed[2].split() == ["review", "Code", "review"]  # no WIP limit any more
