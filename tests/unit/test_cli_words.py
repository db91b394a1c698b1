"""What the command line says: ids and dates out of range, the forgotten-timer question
on `tpm start`, overlaps, spans, and the wording of issue 10."""

from __future__ import annotations

import json
import re

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
HUGE = str(2**63)


@pytest.fixture
def tpm(workspace_location: Location):  # type: ignore[no-untyped-def]
    """Run `tpm ARGS...` against a fresh database with a frozen clock."""
    runner = CliRunner()
    env = {**cli_env(workspace_location), "TZ": "Europe/Berlin"}

    def run(
        *args: str, input: str | None = None, now: str = NOW.isoformat(), **more: str
    ) -> Result:
        return runner.invoke(
            cli,
            list(args),
            env={**env, "TPM_NOW": now, **more},
            input=input,
            catch_exceptions=False,
        )

    return run


def _one_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tpm: "), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["move", HUGE, "done"],
        ["move", "0", "done"],
        ["archive", HUGE],
        ["archive", "1.5"],
        ["restore", HUGE],
        ["restore", "0"],
        ["log", "30m", "m", "--item", HUGE],
        ["start", "m", "--item", "0"],
        ["add", "story", "x", "--parent", HUGE],
        ["edit", "1", "--parent", HUGE],
        ["edit", "1", "--blocked-by", HUGE],
        ["edit", "1", "--not-blocked-by", "0"],
        ["edit", HUGE, "--title", "x"],
    ],
)
def test_ids_out_of_range_are_one_line_exit_2(tpm, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "story", "x")
    message = _one_line(tpm(*args))
    assert "item id" in message


@pytest.mark.parametrize(
    "args",
    [
        ["log", "30m", "m", "--date", "1950-06-01"],
        ["log", "30m", "m", "--date", "0001-01-01"],
        ["report", "--week", "9999-W52"],
        ["report", "--week", "0001-W01"],
        ["add", "epic", "x", "--start", "0001-01-01"],
    ],
)
def test_dates_out_of_range_are_one_line_exit_2(tpm, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert "out of range" in _one_line(tpm(*args))


def test_start_refuses_to_stop_a_forgotten_timer_without_a_terminal(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("start", "deliverables", "PRD", now="2026-11-25T09:00:00+01:00")
    refused = _one_line(tpm("start", "tooling"))
    assert "has run 25h since yesterday 09:00" in refused
    assert "tpm start --at HH:MM" in refused and "--keep" in refused
    assert tpm("status").stdout.startswith("running: deliverables · PRD")
    started = tpm("start", "tooling", "--at", "17:30")
    assert started.exit_code == 0, started.stderr
    assert started.stdout.splitlines() == [
        "stopped 8h30m deliverables · PRD (Wed 25 Nov 09:00–17:30)",
        "started tooling at 10:00",
    ]


def test_start_keep(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("start", "tooling", now="2026-11-25T22:00:00+01:00")
    kept = tpm("start", "m", "--keep")
    assert kept.stdout.splitlines()[0] == "stopped 12h tooling (Wed 25 Nov 22:00–10:00)"


def test_log_warns_about_an_overlap_and_takes_a_span(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("log", "90m", "m").stderr == ""
    overlapping = tpm("log", "1h", "t", "--from", "9:00")  # (without a time: 07:30-08:30)
    assert overlapping.exit_code == 0
    assert overlapping.stderr.startswith("tpm: warning: this entry overlaps 08:30–10:00 meetings")
    span = tpm("log", "7:00-7:30", "m", "standup")
    assert span.stdout == "logged 30m meetings · standup (Thu 26 Nov 07:00–07:30)\n"
    assert span.stderr == ""
    started = tpm("log", "45m", "d", "PRD", "--date", "yesterday", "--from", "14:00")
    assert started.stdout == "logged 45m deliverables · PRD (Wed 25 Nov 14:00–14:45)\n"


def test_the_words_of_issue_10(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("log", "2h", "m", "--date", "2025-01-01").stdout == (
        "logged 2h meetings (Wed 01 Jan 2025 09:00–11:00)\n"
    )
    assert tpm("log", "24h", "m", "--date", "2026-11-20").stdout == (
        "logged 24h meetings (Fri 20 Nov 00:00–Sat 21 Nov 00:00)\n"
    )
    tpm("add", "story", "Export invoices")
    assert tpm("move", "1", "done").stdout.startswith("moved #1 story 'Export invoices' to Done")
    for command, screen in [("time", "the time screen"), ("week", "the week screen")]:
        assert f"{screen} needs a terminal" in _one_line(tpm(command))
    assert "the roadmap needs a terminal" in _one_line(tpm("roadmap"))
    tpm("start", "m", now="2026-11-25T16:00:00+01:00")
    assert "(since yesterday 16:00)" in tpm("status", now="2026-11-26T09:00:00+01:00").stdout
    assert "(since Wed 25 Nov 16:00)" in tpm("status", now="2026-11-27T09:00:00+01:00").stdout


def test_stop_at_on_the_fall_back_night_says_which_it_took(tpm) -> None:  # type: ignore[no-untyped-def]
    ny = {"TZ": "America/New_York"}
    tpm("start", "m", now="2026-11-01T00:30:00", **ny)
    first = tpm("stop", "--at", "01:40", now="2026-11-01T03:00:00", **ny)
    assert first.exit_code == 0, first.stderr
    assert "01:40-04:00" in first.stderr and "--at 01:40-05:00" in first.stderr
    tpm("start", "m", now="2026-11-01T00:30:00", **ny)
    second = tpm("stop", "--at", "01:40-05:00", now="2026-11-01T03:00:00", **ny)
    assert second.stdout.startswith("stopped 2h10m meetings"), second.output


def test_list_shows_roll_ups_and_done_in_their_own_column(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm("add", "epic", "Billing")
    tpm("add", "story", "Invoices", "--points", "5", "--parent", "1", "--status", "done")
    tpm("add", "story", "Refunds", "--points", "3", "--parent", "1")
    lines = tpm("list").stdout.splitlines()
    assert lines[0].split()[:5] == ["id", "kind", "column", "pts", "done"]
    epic = next(line for line in lines if "Billing" in line)
    assert epic.split()[3:5] == ["8", "62%"]  # 5 of 8 points
    story = next(line for line in lines if "Refunds" in line)
    assert story.split()[3] == "3" and "%" not in story


def test_own_points_on_epics_and_features_are_refused(tpm) -> None:  # type: ignore[no-untyped-def]
    refused = _one_line(tpm("add", "epic", "Billing", "--points", "5"))
    assert "an epic's points are the roll-up" in refused
    tpm("add", "feature", "Export")
    assert "roll-up" in _one_line(tpm("edit", "1", "--points", "3"))
    assert tpm("edit", "1", "--points", "none").exit_code == 0


def test_points_say_the_same_rule_everywhere(tpm) -> None:  # type: ignore[no-untyped-def]
    from tpm_tui.services.validate import POINTS_RULE

    assert POINTS_RULE in " ".join(tpm("add", "--help").stdout.split())
    assert POINTS_RULE in _one_line(tpm("add", "story", "x", "--points", "abc"))
    assert POINTS_RULE in _one_line(tpm("add", "story", "x", "--points", "101"))


def test_markdown_outputs_escape_titles(tpm) -> None:  # type: ignore[no-untyped-def]
    tpm(
        "add",
        "epic",
        r"a\|b <img src=x> ![i](u) `c`",
        "--start",
        "2026-11-02",
        "--target",
        "2026-12-18",
    )
    md = tpm("roadmap", "--format", "md").stdout
    row = md.splitlines()[2]
    assert row.count("|") - row.count("\\|") == 6  # five cells, no stray column
    assert re.search(r"(?<!\\)[<`]|!\[", md) is None  # no raw HTML, code or image left
    tpm("log", "1h", "m", "--item", "1")
    report = tpm("report", "--format", "md").stdout
    assert "a\\\\\\|b \\<img src=x\\> !\\[i\\](u) \\`c\\`" in report
    assert re.search(r"(?<!\\)[<`]|!\[", report) is None


def test_kind_words_work_in_add_and_list(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "tech_debt", "Upgrade the SDK").exit_code == 0
    rows = json.loads(tpm("list", "--kind", "tech-debt", "--format", "json").stdout)
    assert [r["kind"] for r in rows] == ["debt"]


def test_restore_of_an_id_too_long_for_a_file_name(tpm) -> None:  # type: ignore[no-untyped-def]
    assert "is not an item id" in _one_line(tpm("restore", "9" * 300))


@pytest.mark.parametrize(
    ("answer", "stopped"),
    [
        ("17:30\n", "stopped 8h30m deliverables · PRD (Wed 25 Nov 09:00–17:30)"),
        ("\n", "stopped 25h deliverables"),  # keep: over 24h is refused like stop --keep
    ],
)
def test_start_asks_on_a_terminal(tpm, monkeypatch, answer: str, stopped: str) -> None:  # type: ignore[no-untyped-def]
    import tpm_tui.cli

    monkeypatch.setattr(tpm_tui.cli, "_can_ask", lambda: True)
    tpm("start", "deliverables", "PRD", now="2026-11-25T09:00:00+01:00")
    asked = tpm("start", "tooling", input=answer)
    assert "has run 25h since yesterday 09:00. Keep it, or end it at (HH:MM)?" in asked.stdout
    if answer == "\n":
        assert asked.exit_code == 2 and "over 24h" in asked.stderr
    else:
        assert asked.exit_code == 0 and stopped in asked.stdout
        assert asked.stdout.rstrip().endswith("started tooling at 10:00")
