"""People (team mode): whose hours a command sees, `tpm report --user/--team`,
`owner:me` and the owner new items get — on a server database and on a SQLite file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from click.testing import CliRunner, Result

from tests.cli_runner import cli_env
from tests.conftest import NOW
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.errors import NotFound
from tpm_tui.services import backlog, timetrack
from tpm_tui.services.filters import parse_filter

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.both_engines,
]

Run = Callable[..., Result]


@pytest.fixture
def as_user(workspace_location: Location) -> Callable[[str], Run]:
    """`as_user(NAME)(ARGS...)` runs `tpm ARGS...` as that person on the test's workspace."""
    runner = CliRunner()

    def person(name: str) -> Run:
        env = {**cli_env(workspace_location), "TPM_USER": name, "TPM_NOW": NOW.isoformat()}

        def run(*args: str) -> Result:
            return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

        return run

    return person


@pytest.fixture
def people(
    workspace_location: Location, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Database]]:
    """The same workspace opened by ana and by ben."""
    opened = {}
    for name in ("ana", "ben"):
        monkeypatch.setenv("TPM_USER", name)
        opened[name] = open_database(workspace_location)
    yield opened
    for database in opened.values():
        database.close()


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _week(run: Run, *args: str) -> dict[str, int]:
    data = json.loads(_ok(run("report", "--format", "json", *args)).stdout)
    return {name: c["minutes"] for name, c in data["categories"].items()}


def test_report_is_my_week_user_is_theirs_and_team_is_everyones(
    as_user: Callable[[str], Run], engine: str
) -> None:
    ana, ben = as_user("ana"), as_user("ben")
    _ok(ana("log", "2h", "meetings", "--date", "2026-11-24"))
    _ok(ben("log", "1h", "tooling", "--date", "2026-11-24"))
    _ok(ben("log", "30m", "deliverables", "--date", "2026-11-25"))
    if engine == "sqlite":  # one person's workspace: every entry is the workspace's
        assert _week(ana) == _week(ben) == {"meetings": 120, "tooling": 60, "deliverables": 30}
        team = json.loads(_ok(ana("report", "--team", "--format", "json")).stdout)
        assert [p["person"] for p in team["people"]] == ["ana"]
        assert team["together"]["total_minutes"] == team["total_minutes"] == 210
        return
    assert _week(ana) == {"meetings": 120, "tooling": 0, "deliverables": 0}
    assert _week(ben) == {"meetings": 0, "tooling": 60, "deliverables": 30}
    assert _week(ana, "--user", "ben") == _week(ben)
    assert _week(ana, "--user", "cy") == {"meetings": 0, "tooling": 0, "deliverables": 0}
    team = json.loads(_ok(ana("report", "--team", "--format", "json")).stdout)
    assert team["week"] == "2026-W48" and team["total_minutes"] == 210
    assert [(p["person"], p["total_minutes"]) for p in team["people"]] == [
        ("ana", 120),
        ("ben", 90),
    ]
    assert team["people"][1]["categories"]["tooling"]["percent"] == 66.7
    assert team["together"]["categories"]["meetings"]["minutes"] == 120
    assert team["together"]["days"][1] == {
        "date": "2026-11-24",
        "meetings": 120,
        "tooling": 60,
        "deliverables": 0,
    }
    table = _ok(ana("report", "--team")).stdout.splitlines()
    assert table[0] == "Team week 2026-W48 · Mon 23 Nov – Sun 29 Nov 2026 · 2 people · total 3h30m"
    assert table[3].split() == ["ana", "2h", "100%", "·", "·", "2h"]
    assert table[4].split() == ["ben", "·", "1h", "67%", "30m", "33%", "1h30m"]
    assert table[5].split() == ["together", "2h", "57%", "1h", "29%", "30m", "14%", "3h30m"]
    assert _ok(ana("report", "--team", "--format", "csv")).stdout == (
        "person,meetings,tooling,deliverables,total\n"
        "ana,120,0,0,120\nben,0,60,30,90\ntogether,120,60,30,210\n"
    )
    md = _ok(ana("report", "--team", "--format", "md")).stdout
    assert "| ben | – | 1h (67 %) | 30m (33 %) | 1h30m |" in md
    assert "| **together** | 2h (57 %) | 1h (29 %) | 30m (14 %) | 3h30m |" in md


def test_report_user_and_team_refuse_bad_input(as_user: Callable[[str], Run]) -> None:
    ana = as_user("ana")
    both = ana("report", "--user", "ben", "--team")
    assert both.exit_code == 2 and both.stderr == "tpm: give --user NAME or --team, not both\n"
    empty = ana("report", "--user", " \x1b ")
    assert empty.exit_code == 2 and "--user needs a name" in empty.stderr
    assert "No time logged this week by anyone yet." in _ok(ana("report", "--team")).stdout


def test_my_timer_status_and_stop_are_mine(as_user: Callable[[str], Run], engine: str) -> None:
    ana, ben = as_user("ana"), as_user("ben")
    _ok(ana("start", "meetings", "planning", "--keep"))
    if engine == "sqlite":
        assert "meetings" in _ok(ben("status")).stdout  # one workspace, one timer
        return
    assert "no timer" in _ok(ben("status")).stdout
    stopped = ben("stop")
    assert stopped.exit_code == 2 and "no timer is running" in stopped.stderr
    _ok(ben("start", "tooling"))  # one running timer per person
    assert "tooling" in _ok(ben("status")).stdout
    assert "meetings" in _ok(ana("status")).stdout


def test_editing_or_deleting_someone_elses_entry_finds_nothing(
    people: dict[str, Database], clock: Clock, engine: str
) -> None:
    if engine == "sqlite":
        pytest.skip("a SQLite workspace is one person's: every entry is its user's")
    ana, ben = people["ana"], people["ben"]
    entry = timetrack.log_entry(ana, clock, 30, "meetings", "ana's")
    with pytest.raises(NotFound):
        timetrack.edit_entry(ben, clock, entry.id, note="ben was here")
    with pytest.raises(NotFound):
        timetrack.delete_entry(ben, clock, entry.id)
    assert [e.note for e in timetrack.entries_for_day(ana, clock, clock.today())] == ["ana's"]
    assert timetrack.entries_for_day(ben, clock, clock.today()) == []


def test_owner_me_filters_to_my_cards(people: dict[str, Database], clock: Clock) -> None:
    ana, ben = people["ana"], people["ben"]
    mine = backlog.create_item(ana, clock, "story", "Mine", owner="ana")
    backlog.create_item(ana, clock, "story", "Ben's", owner="Ben")
    backlog.create_item(ana, clock, "story", "Nobody's", owner="")
    me = parse_filter("owner:me")
    assert [i.title for i in backlog.list_items(ana, item_filter=me)] == [mine.title]
    assert [i.title for i in backlog.list_items(ben, item_filter=me)] == ["Ben's"]
    # the name itself still works, any case
    assert [i.title for i in backlog.list_items(ben, item_filter=parse_filter("owner:ANA"))] == [
        "Mine"
    ]


def test_new_items_are_mine_on_a_server_and_nobodys_in_a_file(
    people: dict[str, Database], clock: Clock, engine: str, as_user: Callable[[str], Run]
) -> None:
    ana = people["ana"]
    made = backlog.create_item(ana, clock, "story", "Filed")
    given = backlog.create_item(ana, clock, "story", "Given", owner="ben")
    cleared = backlog.create_item(ana, clock, "story", "Cleared", owner="")
    expected = "" if engine == "sqlite" else "ana"
    assert (made.owner, given.owner, cleared.owner) == (expected, "ben", "")
    assert backlog.default_owner(ana) == expected  # what a new item's form shows
    _ok(as_user("ben")("add", "story", "From the shell"))
    listed = json.loads(_ok(as_user("ben")("list", "--format", "json")).stdout)
    owners = {i["title"]: i["owner"] for i in listed}
    assert owners["From the shell"] == ("" if engine == "sqlite" else "ben")


def test_a_shared_meeting_is_logged_once_for_each_person(
    people: dict[str, Database], clock: Clock, engine: str
) -> None:
    from tests.unit.test_imports_calendar import ICS, ME, read
    from tpm_tui.importers.calendar import log_meetings, plan_meetings

    if engine == "sqlite":
        pytest.skip("a SQLite workspace is one person's calendar")
    ana, ben = people["ana"], people["ben"]
    first = date(2026, 3, 23)
    start, end = clock.day_bounds(first, 7)
    logged = log_meetings(ana, clock, read(clock, first, me=ME))
    assert logged.added > 0
    # ben's copy of the same invitations: all his to add, none of ana's touched
    plans = plan_meetings(ben, clock, read(clock, first, me=ME))
    assert {p.action for p in plans if p.action != "skip"} == {"add"}
    assert log_meetings(ben, clock, read(clock, first, me=ME)).added == logged.added
    # ben declines the planning: his entry goes, ana's stays
    declined = ICS.read_bytes().replace(
        b"SUMMARY:Sprint planning\r\n",
        b"SUMMARY:Sprint planning\r\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com\r\n",
    )
    assert log_meetings(ben, clock, read(clock, first, data=declined, me=ME)).removed == 1
    notes = {e.note for e in timetrack.entries_between(ana, clock, start, end)}
    assert "Sprint planning" in notes
    assert "Sprint planning" not in {
        e.note for e in timetrack.entries_between(ben, clock, start, end)
    }
