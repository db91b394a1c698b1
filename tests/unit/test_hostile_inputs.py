"""Inputs an adversarial tester sent: numbers past Python's 4,300-digit conversion limit,
special files as the database, invisible titles, and what `tpm import` let through."""

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
GIANT = "9" * 4301  # one digit past int()'s limit: int(GIANT) raises ValueError
PADDED = "0" * 4400 + "5"  # a small number written with too many digits


@pytest.fixture
def tpm(workspace_location: Location):  # type: ignore[no-untyped-def]
    """Run `tpm ARGS...` against a fresh database with a frozen clock."""
    runner = CliRunner()
    env = {**cli_env(workspace_location), "TZ": "Europe/Berlin"}

    def run(*args: str, input: str | None = None, now: str = NOW.isoformat()) -> Result:
        return runner.invoke(
            cli, list(args), env={**env, "TPM_NOW": now}, input=input, catch_exceptions=False
        )

    return run


def _one_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.output, result.exception)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tpm: "), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("number", [GIANT, PADDED, "#" + GIANT], ids=["giant", "padded", "hash"])
@pytest.mark.parametrize(
    "args",
    [
        ["move", "{}", "done"],
        ["archive", "{}"],
        ["restore", "{}"],
        ["edit", "{}", "--title", "y"],
        ["log", "30m", "m", "--item", "{}"],
        ["add", "story", "x", "--parent", "{}"],
        ["edit", "1", "--parent", "{}"],
        ["edit", "1", "--blocked-by", "{}"],
        ["edit", "1", "--not-blocked-by", "{}"],
        ["add", "story", "x", "--points", "{}"],
        ["edit", "1", "--points", "{}"],
    ],
)
def test_numbers_past_the_conversion_limit_are_one_line(tpm, args: list[str], number: str) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "story", "first").exit_code == 0
    if "--points" in args and number.startswith("#"):
        number = number[1:]
    result = tpm(*[number if a == "{}" else a for a in args])
    if "--points" in args and number == PADDED:  # 5 written with leading zeros: fine
        assert result.exit_code == 0, result.output
        return
    assert len(_one_line(result)) < 200


def test_import_of_a_giant_integer_is_refused(tpm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "story", "x").exit_code == 0
    exported = tmp_path / "e.json"
    assert tpm("export", str(exported)).exit_code == 0
    text = exported.read_text()
    data = json.loads(text)
    data["items"][0]["points"] = 1
    text = json.dumps(data).replace('"points": 1', f'"points": {GIANT}')
    exported.write_text(text)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = CliRunner().invoke(
        cli,
        ["--db", str(fresh / "n.db"), "import", str(exported)],
        env={"TPM_HOME": "", "TPM_NOW": NOW.isoformat()},
        catch_exceptions=False,
    )
    assert "items[0].points: is out of range" in _one_line(result)
    listed = CliRunner().invoke(cli, ["--db", str(fresh / "n.db"), "list", "--format", "json"])
    assert json.loads(listed.output or "[]") == []  # nothing written


def test_capacity_and_wip_past_the_conversion_limit_are_one_line(tpm) -> None:  # type: ignore[no-untyped-def]
    assert tpm("sprint", "new", "s1", "--start", "mon", "--length", "2w").exit_code == 0
    assert "capacity" in _one_line(tpm("sprint", "edit", "s1", "--capacity", GIANT))
    assert "WIP" in _one_line(tpm("config", "wip.review", GIANT))


@pytest.mark.parametrize(
    "args",
    [["doctor"], ["list"], ["status", "--short"], ["status"], ["restore", "backup.db"]],
)
def test_a_fifo_as_the_database_is_refused_without_opening_it(
    tmp_path: Path, args: list[str]
) -> None:
    """Opening a FIFO blocks until a writer comes: tpm must say "not a file" first."""
    import os
    import subprocess
    import sys

    os.mkfifo(tmp_path / "ff.db")
    backup = tmp_path / "backup.db"
    assert CliRunner().invoke(cli, ["--db", str(backup), "add", "story", "x"]).exit_code == 0
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tpm_tui", "--db", "ff.db", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=15,
            env={**os.environ, "TPM_HOME": "", "TPM_DB": "", "HOME": str(tmp_path)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"tpm {' '.join(args)} hung on a FIFO")
    assert done.returncode in (1, 2), done
    assert done.stderr.count("\n") == 1 and "ff.db: not a file" in done.stderr, done.stderr


INVISIBLE = [
    "\u034f",  # combining grapheme joiner (Mn)
    "\ufe0f",  # variation selector 16 (Mn)
    "\u17b4",  # Khmer vowel inherent AQ (Mn)
    "\u2800",  # Braille pattern blank (So)
    "\u3164",  # Hangul filler (Lo)
    "\u115f",  # Hangul choseong filler (Lo)
    "\u1160",  # Hangul jungseong filler (Lo)
    "\uffa0",  # halfwidth Hangul filler (Lo)
    "\u20dd",  # combining enclosing circle (Me)
    "\u3000",  # ideographic space (Zs)
    "\u200b\u200d",  # zero-width space and joiner (Cf)
    "\u200b\u3164\u200b\u2800 \u115f",
]


@pytest.mark.parametrize("title", INVISIBLE, ids=[f"U+{ord(t[0]):04X}" for t in INVISIBLE])
def test_a_title_of_invisible_characters_is_empty(tpm, title: str) -> None:  # type: ignore[no-untyped-def]
    assert "empty" in _one_line(tpm("add", "story", title))
    assert tpm("add", "story", "real").exit_code == 0
    assert "empty" in _one_line(tpm("edit", "1", "--title", title))


@pytest.mark.parametrize("title", ["a\u034f", "\u2800x", "🙂\ufe0f", "e\u0301", "한"])
def test_a_title_with_something_visible_is_kept(tpm, title: str) -> None:  # type: ignore[no-untyped-def]
    assert tpm("add", "story", title).exit_code == 0


def _import(tmp_path: Path, mutate) -> Result:  # type: ignore[no-untyped-def]
    """Export a small workspace, change its data with `mutate`, import it into a new one."""
    source = tmp_path / "source.db"
    env = {"TPM_HOME": "", "TPM_NOW": NOW.isoformat()}
    runner = CliRunner()
    for args in (["add", "epic", "E"], ["add", "story", "s", "--parent", "1", "--points", "3"]):
        assert runner.invoke(cli, ["--db", str(source), *args], env=env).exit_code == 0
    exported = tmp_path / "e.json"
    exporting = runner.invoke(cli, ["--db", str(source), "export", str(exported)], env=env)
    assert exporting.exit_code == 0
    data = json.loads(exported.read_text())
    mutate(data)
    exported.write_text(json.dumps(data))
    target = tmp_path / "target.db"
    result = runner.invoke(
        cli, ["--db", str(target), "import", str(exported)], env=env, catch_exceptions=False
    )
    if result.exit_code != 0:
        listed = runner.invoke(cli, ["--db", str(target), "list", "--format", "json"], env=env)
        assert json.loads(listed.output or "[]") == []  # nothing written
    return result


@pytest.mark.parametrize("title", INVISIBLE, ids=[f"U+{ord(t[0]):04X}" for t in INVISIBLE])
def test_import_refuses_an_invisible_title(tmp_path: Path, title: str) -> None:
    def mutate(data: dict) -> None:  # type: ignore[type-arg]
        data["items"][1]["title"] = title

    assert "items[1] (#2): the title is empty" in _one_line(_import(tmp_path, mutate))


@pytest.mark.parametrize("kind", ["epic", "feature"])
def test_import_refuses_points_of_an_epic_or_feature(tmp_path: Path, kind: str) -> None:
    def mutate(data: dict) -> None:  # type: ignore[type-arg]
        data["items"][0]["kind"] = kind
        data["items"][0]["points"] = 5

    message = _one_line(_import(tmp_path, mutate))
    assert "items[0] (#1)" in message and "roll-up" in message


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1970-01-01T00:00:00Z", "1970-01-01T00:30:00Z"),  # 1970-01-01 in every zone
        ("1970-01-01T09:59:00Z", "1970-01-01T10:30:00Z"),  # 1970-01-02 begins 10:00Z at +14
        ("2200-01-01T12:00:00Z", "2200-01-01T12:30:00Z"),  # 2199-12-31 ends 12:00Z at -12
    ],
)
def test_import_holds_entries_to_the_range_its_message_says(
    tmp_path: Path, start: str, end: str
) -> None:
    def mutate(data: dict) -> None:  # type: ignore[type-arg]
        data["time_entries"] = [
            {"id": 1, "category": "meetings", "started_at": start, "ended_at": end,
             "note": "", "item_id": None, "created_at": "2026-01-01T00:00:00Z"}
        ]  # fmt: skip

    assert "out of range" in _one_line(_import(tmp_path, mutate))


def test_a_timer_is_held_to_the_same_range() -> None:
    from datetime import UTC, datetime

    from tpm_tui.errors import InvalidInput
    from tpm_tui.services import validate

    with pytest.raises(InvalidInput, match="out of range"):
        validate.moment(datetime(1970, 1, 1, tzinfo=UTC), "started_at")
    first = datetime(1970, 1, 2, tzinfo=UTC) - validate.timedelta(hours=14)
    assert validate.moment(first, "started_at") == first


@pytest.mark.parametrize("executor", ["sqlite", "sqlalchemy"])
@pytest.mark.parametrize("short", [False, True])
def test_a_clock_behind_a_running_timer_counts_no_negative_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, executor: str, short: bool
) -> None:
    """The timer started at 12:00; the clock now says 10:00: nothing has run yet."""
    from datetime import timedelta

    monkeypatch.setenv("TPM_EXECUTOR", executor)
    env = {"TPM_HOME": "", "TZ": "Europe/Berlin"}
    db = ["--db", str(tmp_path / "t.db")]
    runner = CliRunner()
    later = (NOW + timedelta(hours=2)).isoformat()
    assert (
        runner.invoke(cli, [*db, "log", "30m", "t"], env={**env, "TPM_NOW": later}).exit_code == 0
    )
    started = runner.invoke(cli, [*db, "start", "m"], env={**env, "TPM_NOW": later})
    assert started.exit_code == 0, started.output
    shown = runner.invoke(
        cli,
        [*db, "status", *(["--short"] if short else [])],
        env={**env, "TPM_NOW": NOW.isoformat()},
    )
    assert shown.exit_code == 0, shown.output
    assert "-" not in shown.output.replace("-W", ""), shown.output
    if not short:
        assert "today: 30m (tooling 30m)" in shown.output, shown.output


@pytest.mark.parametrize(
    "focus", [GIANT, "inf", "nan", "1e400", "-inf%"], ids=["giant", "inf", "nan", "1e400", "-inf"]
)
def test_a_focus_that_is_no_finite_number_is_one_line(tpm, focus: str) -> None:  # type: ignore[no-untyped-def]
    assert "focus" in _one_line(tpm("team", "add", "ana", "--focus", focus))
