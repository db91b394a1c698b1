"""The command line through click's runner: output, database effects, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli_runner import cli_env
from tests.conftest import NOW
from tpm_tui.cli import cli
from tpm_tui.config import Location

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.both_engines,  # the commands behave the same on PostgreSQL
]


@pytest.fixture
def tpm(workspace_location: Location):  # type: ignore[no-untyped-def]
    """Run `tpm ARGS...` against a fresh database with a frozen clock."""
    runner = CliRunner()
    env = cli_env(workspace_location)

    def run(*args: str, input: str | None = None, now: str = NOW.isoformat()) -> Result:
        return runner.invoke(
            cli, list(args), env={**env, "TPM_NOW": now}, input=input, catch_exceptions=False
        )

    run.path = workspace_location.path  # type: ignore[attr-defined]
    run.location = workspace_location  # type: ignore[attr-defined]
    return run


def _json(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_log_then_report(tpm) -> None:  # type: ignore[no-untyped-def]
    result = tpm("log", "45m", "meetings", "sprint", "planning")
    assert result.exit_code == 0
    assert result.stdout == "logged 45m meetings · sprint planning (Thu 26 Nov 09:15–10:00)\n"
    assert tpm("log", "1h30m", "t", "grooming", "--date", "mon").exit_code == 0
    report = _json(tpm("report", "--format", "json"))
    assert report["total_minutes"] == 135  # type: ignore[index]
    assert report["categories"]["meetings"]["percent"] == 33.3  # type: ignore[index]
    assert report["days"][0]["tooling"] == 90  # type: ignore[index]
    status = tpm("status")
    assert status.stdout == "no timer running\ntoday: 45m (meetings 45m)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["log", "45x", "meetings"],
            "'45x' is not a duration: use 30m, 1h, 1h30m, 1.5h, 1:30 or 90",
        ),
        (["log", "0m", "meetings"], "the duration is zero"),
        (["log", "25h", "meetings"], "more than a day"),
        (["log", "30m", "naps"], "unknown category 'naps'"),
        (["log", "30m", "m", "--date", "2026-11-30"], "2026-11-30 is in the future"),
        (["log", "30m", "m", "--date", "someday"], "'someday' is not a date"),
        (["log", "30m", "m", "--item", "99"], "no item #99"),
        (["log", "30m"], "Missing argument 'CATEGORY'"),
        (["log", "30m", "m", "--item", "abc"], "'abc' is not an item id"),
        (["report", "--week", "2026-W60"], "2026 has no week 60"),
        (["report", "--format", "xml"], "'xml' is not one of"),
        (["add", "saga", "x"], "unknown kind 'saga'"),
        (["add", "story", ""], "the title is empty"),
        (["add", "story", "x", "--points", "-3"], "from 0 to 100"),
        (["add", "story", "x", "--parent", "7"], "no parent #7"),
        (["add", "story", "x", "--start", "soon"], "--start 'soon' is not a date"),
        (["add", "epic", "x", "--start", "0001-01-01"], "--start 0001-01-01 is out of range"),
        (
            ["meetings", "--from", "0001-01-01", "--to", "0001-01-01", "export.ics"],
            "--from 0001-01-01 is out of range",  # (had no UTC bounds: a traceback)
        ),
        (["add", "story", "x", "--sprint", "Sprint 99"], "no sprint 'Sprint 99'"),
        (["move", "1", "done"], "no item #1"),
        (["edit", "1"], "nothing to change"),
        (["stop"], "no timer is running"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_one_line(tpm, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = tpm(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tpm: ")
    assert message in result.stderr


def test_backlog_commands(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "epic", "Self-serve invoicing", "-q").stdout == "1\n"
    assert tpm("add", "feature", "Invoice export", "--parent", "1", "-q").stdout == "2\n"
    added = tpm(
        "add", "story", "Export invoices", "--points", "5", "--parent", "2", "--owner", "ana"
    )
    assert added.stdout == "added #3 story 'Export invoices' in Backlog, 5 pts\n"
    assert tpm("move", "3", "in progress").stdout.startswith(
        "moved #3 story 'Export invoices' to In Progress"
    )
    assert tpm("edit", "3", "--points", "8", "--target", "2026-12-18").exit_code == 0
    assert tpm("move", "3", "done").exit_code == 0
    items = _json(tpm("list", "--format", "json"))
    story = next(i for i in items if i["id"] == 3)  # type: ignore[union-attr,index]
    assert story == {
        "id": 3,
        "kind": "story",
        "title": "Export invoices",
        "status": "done",
        "rank": 1,
        "points": 8,
        "parent_id": 2,
        "epic_id": 1,
        "sprint": None,
        "owner": "ana",
        "start_date": None,
        "target_date": "2026-12-18",
        "archived": False,
        "blocked_by": [],
    }
    epic = next(i for i in items if i["id"] == 1)  # type: ignore[union-attr,index]
    assert (epic["rollup_points"], epic["done_percent"]) == (8, 100)  # type: ignore[index]
    table = tpm("list").stdout
    assert "#3  story   Done" in table and "Self-serve invoicing" in table


def test_archive_restore_and_list_archived(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "bug", "Login footer year")
    assert "tpm restore 1" in tpm("archive", "1").stdout
    assert _json(tpm("list", "--format", "json")) == []
    archived = _json(tpm("list", "--archived", "--format", "json"))
    assert [i["archived"] for i in archived] == [True]  # type: ignore[union-attr,index]
    assert tpm("restore", "1").exit_code == 0
    assert len(_json(tpm("list", "--format", "json"))) == 1  # type: ignore[arg-type]


def test_markup_in_titles_is_kept_as_text(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "story", "[bold]x[/] \x1b]0;title\x07 50% [done]")
    assert _json(tpm("list", "--format", "json"))[0]["title"] == "[bold]x[/]  50% [done]"  # type: ignore[index]


def test_timer_commands(tpm) -> None:  # type: ignore[no-untyped-def]
    started = tpm("start", "m", "standup", now="2026-11-26T09:00:00+01:00")
    assert started.stdout == "started meetings · standup at 09:00\n"
    assert tpm("status").stdout.startswith("running: meetings · standup for 1h (since 09:00)")
    out = tpm("start", "tooling").stdout
    assert out == (
        "stopped 1h meetings · standup (Thu 26 Nov 09:00–10:00)\nstarted tooling at 10:00\n"
    )
    out = tpm("start", "d", now="2026-11-26T10:00:40+01:00").stdout
    assert (
        out == "discarded the tooling timer: it ran under a minute\nstarted deliverables at 10:00\n"
    )
    assert tpm("stop", now="2026-11-26T10:30:40+01:00").stdout.startswith(
        "stopped 30m deliverables"
    )
    report = _json(tpm("report", "--format", "json"))
    assert report["total_minutes"] == 90  # type: ignore[index]


def test_stop_keep_accepts_a_long_timer(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("start", "tooling", now="2026-11-25T22:00:00+01:00")
    kept = tpm("stop", "--keep")
    assert kept.stdout == "stopped 12h tooling (Wed 25 Nov 22:00–10:00)\n"


def test_stop_asks_about_a_forgotten_timer(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("start", "deliverables", "PRD", now="2026-11-25T09:00:00+01:00")
    refused = tpm("stop")
    assert refused.exit_code == 2
    assert (
        "has run 25h since yesterday 09:00" in refused.stderr
        and "tpm stop --at HH:MM" in refused.stderr
    )
    stopped = tpm("stop", "--at", "17:30")
    assert stopped.stdout == "stopped 8h30m deliverables · PRD (Wed 25 Nov 09:00–17:30)\n"


def test_export_import_round_trip(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "story", "Kept")
    tpm("log", "30m", "meetings")
    out = tmp_path / "backup.json"
    assert tpm("export", str(out)).exit_code == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    refused = tpm("import", str(out))
    assert refused.exit_code == 1 and "not empty" in refused.stderr
    replaced = tpm("import", str(out), "--replace")
    assert replaced.exit_code == 0
    if tpm.path is not None:  # a SQLite file is backed up first (a server: by its admin)
        assert "the previous workspace is in" in replaced.stdout
        assert len(list((tpm.path.parent / "backups").glob("*before-import.db"))) == 1
    data = json.loads(tpm("export").stdout)
    assert [i["title"] for i in data["items"]] == ["Kept"]


def test_import_of_a_broken_file(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = tpm("import", str(bad))
    assert result.exit_code == 2 and "not valid JSON" in result.stderr
    result = tpm("import", "-", input='{"format": "tpm-export", "version": 1, "items": 3}')
    assert result.exit_code == 2 and "items: must be a list" in result.stderr


def test_not_a_database_exits_1_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database at all\n" * 50)
    result = CliRunner().invoke(cli, ["--db", str(path), "status"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"tpm: {path}: not a usable tpm database")
    assert path.read_text() == "not a database at all\n" * 50


def test_demo_builds_a_throwaway_workspace(tpm) -> None:  # type: ignore[no-untyped-def]
    result = tpm("demo")
    assert result.exit_code == 0
    said, built = result.stdout.splitlines()[:2]
    # the workspace the commands use (TPM_DB here) is named as left alone
    assert said.startswith("(the demo builds its own workspace; ") and "left as it is" in said
    path = built.removeprefix("demo workspace: ")
    assert "3 epics, 8 features, 40 stories, bugs and debt, 2 sprints" in result.stdout
    listed = CliRunner().invoke(
        cli, ["--db", path, "list", "--format", "json"], catch_exceptions=False
    )
    kinds = [i["kind"] for i in json.loads(listed.stdout)]
    assert kinds.count("epic") == 3 and kinds.count("feature") == 8 and len(kinds) == 51
    assert tpm.path is None or not tpm.path.exists()  # the user's own workspace: untouched
    assert json.loads(tpm("list", "--format", "json").stdout) == []


def test_version_and_bare_help(tpm) -> None:  # type: ignore[no-untyped-def]
    from tpm_tui import __version__

    assert tpm("--version").stdout == f"tpm {__version__}\n"
    assert "Commands:" in tpm("--help").stdout
    no_terminal = tpm()
    assert no_terminal.exit_code == 2 and "needs a terminal" in no_terminal.stderr


def test_config(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("config").stdout.startswith("week-target   40h")
    assert tpm("config", "week-target", "38h").stdout == "week-target = 38h\n"
    assert tpm("config", "week-target").stdout == "38h\n"
    bad = tpm("config", "week-target", "0m")
    assert bad.exit_code == 2 and "from 1h to 168h" in bad.stderr
    assert tpm("config", "colour").exit_code == 2


def test_edit_blocked_by(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "feature", "API", "-q")
    tpm("add", "feature", "Portal", "-q")
    assert tpm("edit", "2", "--blocked-by", "1").exit_code == 0
    items = _json(tpm("list", "--format", "json"))
    assert [i["blocked_by"] for i in items] == [[], [1]]  # type: ignore[index,union-attr]
    cycle = tpm("edit", "1", "--blocked-by", "2")
    assert cycle.exit_code == 2 and "cycle" in cycle.stderr
    assert tpm("edit", "2", "--not-blocked-by", "1").exit_code == 0
