"""`tpm goal …`, `tpm vision`, `tpm prd`, `tpm edit --goal` and `tpm report status`
through click's runner: output, database effects, one-line refusals."""

from __future__ import annotations

import json
import sys
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
    env = {**cli_env(workspace_location), "EDITOR": "", "VISUAL": ""}

    def run(*args: str, editor: str = "") -> Result:
        return runner.invoke(
            cli,
            list(args),
            env={**env, "TPM_NOW": NOW.isoformat(), "EDITOR": editor},
            catch_exceptions=False,
        )

    return run


def _editor(tmp_path: Path, text: str) -> str:
    """An $EDITOR that replaces the file it is given with `text`."""
    script = tmp_path / "editor.py"
    script.write_text(
        f"import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write({text!r})\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_goal_commands_and_list_formats(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "epic", "Invoicing").exit_code == 0
    added = tpm("goal", "add", "Customers bill themselves", "--due", "2027-03-31")
    assert added.stdout == "added G1 'Customers bill themselves', due 2027-03-31\n"
    kr = tpm(
        "goal",
        "kr",
        "G1",
        "Activation rate",
        "--baseline",
        "12",
        "--target",
        "25",
        "--unit",
        "%",
        "--current",
        "14",
    )
    assert kr.stdout == "added KR1 'Activation rate' to G1: 12 % → 25 %, now 14 %\n"
    assert tpm("goal", "update", "KR1", "17.5").exit_code == 0
    earlier = tpm("goal", "update", "1", "13", "--date", "2026-11-01")
    # said as what it is: 13 is 8 % of the way; the current value is still today's
    assert "13 % on 2026-11-01 (8 % of the way from 12 % to 25 %; the current value stays" in (
        earlier.stdout
    )
    assert "17.5 % (2026-11-26))" in earlier.stdout
    linked = tpm("edit", "1", "--goal", "customers")
    assert linked.stdout.endswith(", serving G1 'Customers bill themselves'\n")
    assert json.loads(tpm("list", "--format", "json").stdout)[0]["goal_id"] == 1
    listed = json.loads(tpm("goal", "list", "--format", "json").stdout)
    [goal] = listed
    assert goal["outcome_percent"] == 42  # (17.5 - 12) / (25 - 12)
    assert goal["epics"][0]["id"] == 1
    values = goal["key_results"][0]["values"]
    assert [v["date"] for v in values] == ["2026-11-01", "2026-11-26", "2026-11-26"]
    assert goal["key_results"][0]["current"] == 17.5
    table = tpm("goal", "list").stdout
    assert "KR1 Activation rate: 12 % → 25 %, now 17.5 %" in table
    assert tpm("goal", "list", "--format", "md").stdout.startswith("## Goals\n")
    assert tpm("goal", "list", "--archived").stdout.startswith("no archived goals")
    assert tpm("goal", "archive", "G1").exit_code == 0
    assert "no goals yet" in tpm("goal", "list").stdout
    assert "(archived)" in tpm("goal", "list", "--all").stdout
    assert tpm("goal", "restore", "G1").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["goal", "kr", "G9", "x", "--baseline", "1", "--target", "2"], "no goal G9"),
        (["goal", "kr", "G1", "x", "--baseline", "3", "--target", "3"], "is the baseline"),
        (["goal", "kr", "G1", "x", "--baseline", "ten", "--target", "3"], "must be a number"),
        (["goal", "kr", "G1", "x", "--baseline", "nan", "--target", "3"], "must be a number"),
        (["goal", "update", "KR7", "3"], "no key result KR7"),
        (["goal", "update", "KR1", "3", "--date", "2027-01-01"], "2027-01-01 is after today"),
        (["goal", "update", "abc", "3"], "is not a key result"),
        (["edit", "2", "--goal", "G1"], "only epics serve goals"),
        (["edit", "1", "--goal", "nothing like it"], "no goal 'nothing like it'"),
        (["prd", "2"], "PRDs belong to epics"),
        (["prd", "1", "--history", "--diff"], "give one of them"),
        (["report", "status", "--week", "2026-W99"], "week"),
    ],
)
def test_bad_input_gets_one_line(tpm, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Invoicing")
    tpm("add", "story", "Export", "--parent", "1")
    tpm("goal", "add", "Customers bill themselves")
    tpm("goal", "kr", "G1", "Activation", "--baseline", "10", "--target", "20")
    result = tpm(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_markup_and_escapes_are_kept_as_text(tpm) -> None:  # type: ignore[no-untyped-def]
    added = tpm("goal", "add", "[bold red]Win[/] \x1b[31mnow")
    assert added.stdout == "added G1 '[bold red]Win[/] now'\n"
    assert "[bold red]Win[/] now" in tpm("goal", "list").stdout
    assert "\\[bold red\\]Win\\[/\\] now" in tpm("goal", "list", "--format", "md").stdout


def test_vision_edit_history_and_diff(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "No vision yet" in tpm("vision").stdout
    said = tpm("vision", "--edit", editor=_editor(tmp_path, "# Vision\n\nPaid on time.\n"))
    assert said.stdout == "saved the vision\n"
    tpm("vision", "--edit", editor=_editor(tmp_path, "# Vision\n\nPaid on time, \x1b[2Jalways.\n"))
    assert tpm("vision").stdout == "# Vision\n\nPaid on time, always.\n"
    assert tpm("vision", "--history").stdout.count("\n") == 2
    diff = tpm("vision", "--diff").stdout
    assert "-Paid on time." in diff and "+Paid on time, always." in diff


def test_an_unchanged_template_is_not_saved(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Invoicing")
    said = tpm("prd", "1", "--edit", editor="true")
    assert "template was left as it was" in said.stdout
    assert "no saved version" in tpm("prd", "1", "--history").stdout


def test_an_editor_that_removes_the_file_saves_nothing(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Invoicing")
    said = tpm(
        "prd", "1", "--edit", editor=f"{sys.executable} -c 'import os,sys; os.remove(sys.argv[1])'"
    )
    assert said.exit_code == 2
    assert "vanished" in said.stderr
    binary = f"{sys.executable} -c 'import sys; open(sys.argv[1], \"wb\").write(bytes(9))'"
    assert "not text" in tpm("prd", "1", "--edit", editor=binary).stderr
    assert "no saved version" in tpm("prd", "1", "--history").stdout


def test_prd_edit_print_output_history(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Invoicing")
    tpm(
        "add",
        "story",
        "Export invoices",
        "--parent",
        "1",
        "--points",
        "5",
        "--acceptance",
        "A month exports as CSV",
    )
    written = "# PRD\n\n## Problem\n\nTickets.\n\n## Metrics\n\n<!-- later -->\n"
    said = tpm("prd", "1", "--edit", editor=_editor(tmp_path, written))
    assert said.stdout.startswith("saved the PRD of #1 (1/9 sections written; still to write: ")
    printed = tpm("prd", "1").stdout
    assert printed.startswith(written)
    assert "- Story #2 Export invoices — 5 pts · Backlog" in printed
    assert "    - A month exports as CSV" in printed
    out = tmp_path / "prd.md"
    assert tpm("prd", "1", "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == printed
    assert out.stat().st_mode & 0o077 == 0
    tpm("prd", "1", "--edit", editor=_editor(tmp_path, written + "\n## Timeline\n\nQ1.\n"))
    history = tpm("prd", "1", "--history").stdout.splitlines()
    assert [line.split()[0] for line in history] == ["v1", "v2"]
    assert "2/9 sections" in history[1]
    assert "+## Timeline" in tpm("prd", "1", "--diff").stdout


def test_report_status_prints_the_week(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Invoicing")
    tpm("goal", "add", "Customers bill themselves")
    text = tpm("report", "status", "--week", "2026-W48").stdout
    assert text.startswith("# Status, week 2026-W48 (Mon 23 Nov – Sun 29 Nov 2026)\n")
    assert "| #1 Invoicing |" in text
    data = json.loads(tpm("report", "status", "--format", "json").stdout)
    assert data["week"] == "2026-W48"
    assert tpm("report", "--week", "2026-W48").exit_code == 0  # the old report still works
