"""Every command of the command line with generated arguments, run in process on a
seeded workspace: each run exits 0, 1 or 2 and never shows a traceback.

The commands and their parameters are read from click's own command tree, so a new
command or option is fuzzed without touching this file. The commands that open the TUI
run without a terminal, where they refuse in one line; `tpm serve` checks its arguments
and its database as usual, then its server stops at once instead of serving forever."""

from __future__ import annotations

import os
import shutil
import tempfile
import time as time_module
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, location_for
from tests.reliability.figures import record
from tpm_tui.cli import ItemIdType, cli
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog, planning, timetrack

CASES = int(os.environ.get("TPM_FUZZ_CASES", "200"))
COUNTS: Counter[str] = Counter()
CLOCK = Clock(NOW)

# Words that have broken command lines: numbers at and past SQLite's integer range and
# past the 4,300 digits int() converts,
# dates at and past the accepted range, weeks, spans, offsets, prefixes, markup, escape
# sequences, a byte that is not UTF-8 (as a shell passes it), and very long names.
IDS = [
    "1", "2", "3", "7", "#2", "0", "-1", "999", "1e3", "", "none", "-",
    str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 40,
]  # fmt: skip
# Past the 4,300 digits int() converts (it raises ValueError): a branch of their own
# wherever a number is read, so a run meets them often.
GIANTS = ["9" * 4301, "#" + "9" * 4301, "0" * 4400 + "1"]
IDS += GIANTS
DATES = [
    "today", "yesterday", "mon", "su", "2026-11-20", "2026-11-30", "1950-06-01", "0001-01-01",
    "9999-12-31", "1970-01-01", "1970-01-02", "2199-12-31", "2200-01-01", "2026-02-30",
]  # fmt: skip
WEEKS = ["2026-W48", "2026w48", "9999-W52", "0001-W01", "1970-W01", "2026-W60", "2026-W00"]
DURATIONS = [
    "30m", "0m", "25h", "24h", "23h30m", "1h30", "1:30", "90", "-30m", "1.5h", "99999h",
    "9:00-9:30", "9:30-9:00", "23:00-00:00", "00:00-00:00", "9:00-11:00",
]  # fmt: skip
TIMES = ["17:30", "8:00", "01:40-05:00", "01:40+01:00", "25:00", "0000", "23:59", "9"]
NAMES = [
    "m", "t", "d", "meetings", "x", "epic", "feature", "story", "st", "s", "bug", "debt",
    "tech_debt", "saga", "backlog", "todo", "in progress", "rev", "done", "current",
    "Sprint 24", "week-target", "38h", "abc", "-5", "101", "5", "ana",
]  # fmt: skip
TEXTS = [
    "[bold]x[/]", "\x1b]0;t\x07", "a\\|b <img>", "\u200b", "\udcff", "-", "--", "-x",
    "--help", "#1", "@yesterday", "backups", "backup.db", "export.json", "tpm.db", ".",
    "x" * 300,
]  # fmt: skip
WORDS = DATES + WEEKS + DURATIONS + TIMES + NAMES + TEXTS
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=30,
)
TOKEN = st.one_of(st.sampled_from(WORDS), st.sampled_from(IDS), TEXT)
# Words a parameter of that name most likely meets (others get TOKEN alone): the hints
# aim the generator, the tree still decides which commands and parameters exist.
HINTS = {
    "day": DATES,
    "start": DATES,
    "target": DATES + IDS,
    "week": WEEKS + DATES,
    "duration": DURATIONS,
    "at": TIMES,
    "starts": TIMES,
    "points": [*IDS, "5", "100", "101", "abc"],
    "capacity": [*IDS, "none", "30"],
    "focus": ["0.7", "70%", "5", "101", "inf", "nan", "1e400", "-inf%"],
}
# Files the commands may read or write: all relative, inside the case's own folder.
PATHS = st.sampled_from(
    ["export.json", "sub/out.json", "-", "missing.json", "bad.json", "tpm.db", "backups",
     "backup.db", ".", "", "x" * 300, "nested/" * 3 + "f.json"]
)  # fmt: skip
DB_OPTIONS = st.sampled_from(
    ["other.db", "sub/dir/x.db", ".", "sqlite://", "sqlite:///rel.db", "x" * 300 + ".db",
     "sqlite:///:memory:", "sqlite:///%3Amemory%3A", "sqlite:///a%2520b.db", "notes.txt"]
)  # fmt: skip


def _value(param: click.Parameter) -> st.SearchStrategy[str]:
    """A strategy for one value of `param`, from its type."""
    if isinstance(param.type, click.Choice):
        return st.one_of(st.sampled_from([str(c) for c in param.type.choices]), TOKEN)
    if isinstance(param.type, click.Path):
        return st.one_of(PATHS, TOKEN)
    if isinstance(param.type, ItemIdType):
        return st.one_of(
            st.sampled_from(IDS), st.sampled_from(GIANTS), st.integers(-(2**70), 2**70).map(str)
        )
    if param.name in HINTS:
        return st.one_of(st.sampled_from(HINTS[param.name]), st.sampled_from(GIANTS), TOKEN)
    return TOKEN


@st.composite
def _arguments(draw: st.DrawFn, command: click.Command) -> list[str]:
    """Words for a command: some of its options (before or after), its arguments,
    now and then one word short, or --help."""
    options: list[str] = []
    choices = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    for option in draw(st.lists(st.sampled_from(choices), max_size=4)) if choices else []:
        options.append(draw(st.sampled_from(option.opts + option.secondary_opts)))
        if not (option.is_flag or option.count):
            options.append(draw(_value(option)))
    arguments: list[str] = []
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        if argument.nargs == -1:
            arguments += draw(st.lists(_value(argument), max_size=3))
        elif argument.required or draw(st.booleans()):
            arguments.append(draw(_value(argument)))
    words = arguments + options if draw(st.booleans()) else options + arguments
    if words and draw(st.integers(0, 15)) == 0:
        words.pop()
    if draw(st.integers(0, 15)) == 0:
        words.append("--help")
    return words


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under `group` (nested groups included)."""
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


COMMANDS = _commands(cli)
RUNS = st.one_of(
    st.sampled_from(COMMANDS).flatmap(
        lambda path: st.tuples(
            st.one_of(st.just([]), DB_OPTIONS.map(lambda d: ["--db", d])),
            st.just(list(path)),
            _arguments(_command(path)),
        ).map(lambda t: t[0] + t[1] + t[2])
    ),
    st.sampled_from([[], ["--version"], ["--help"], ["--db"], ["nosuchcommand"]]),
)


def seed(path: Path) -> Path:
    """A seeded workspace to copy for each run: the tree, a sprint, a dependency, an
    archived item, a week of time and a timer forgotten since yesterday."""
    seed_location(location_for(path))
    return path


def seed_location(location: Location) -> None:
    """Seed the workspace at `location` (a file or a server database) as `seed` does."""
    db = open_database(location)
    planning.create_sprint(db, "Sprint 24", date(2026, 11, 23), date(2026, 12, 6))
    epic = backlog.create_item(db, CLOCK, "epic", "Billing", start_date=date(2026, 11, 2))
    feature = backlog.create_item(db, CLOCK, "feature", "Export", parent_id=epic.id)
    story = backlog.create_item(db, CLOCK, "story", "Invoices", points=5, parent_id=feature.id)
    bug = backlog.create_item(db, CLOCK, "bug", "Totals", points=3, parent_id=epic.id)
    backlog.add_dependency(db, story.id, bug.id)
    backlog.set_archived(db, CLOCK, backlog.create_item(db, CLOCK, "debt", "Old SDK").id, True)
    for back in range(1, 6):
        day = NOW.date() - timedelta(days=back)
        timetrack.log_entry(db, CLOCK, 90, "m", "standup", day=day, item_id=story.id)
    timetrack.start_timer(db, Clock(NOW - timedelta(hours=20)), "tooling", "grooming")
    db.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded workspace every run starts from."""
    return seed(tmp_path_factory.mktemp("cli-template") / "tpm.db")


@pytest.fixture(scope="module", autouse=True)
def _serve_stops_at_once() -> Iterator[None]:
    """`tpm serve` would listen until ctrl+c: here its server ends as soon as it starts."""
    from tpm_tui.web.server import TpmServer

    async def stop_at_once(self: TpmServer) -> int:
        return 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TpmServer, "run", stop_at_once)
        yield


@pytest.fixture(scope="module")
def berlin() -> Iterator[None]:
    """TZ as the subprocess tests set it (the frozen clock follows its rules)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time_module.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time_module.tzset()


def case_folder(template: Path, parent: Path) -> Path:
    """A folder of its own for one run: the workspace, a backup of it, a broken JSON
    file and a text file that is not a database."""
    folder = Path(tempfile.mkdtemp(dir=parent))
    shutil.copy(template, folder / "tpm.db")
    shutil.copy(template, folder / "backup.db")
    (folder / "bad.json").write_text("{not json")
    (folder / "notes.txt").write_text("not a database\n")
    return folder


def run(args: list[str], folder: Path, database: str | None = None) -> tuple[Any, str]:
    """Run `tpm ARGS` in process, as a shell would without a terminal, on the case's
    workspace (or `database`, a server's URL): its exit code (or the exception that
    escaped) and what it wrote on standard error."""
    env = {
        "TPM_DB": database or str(folder / "tpm.db"),
        "TPM_HOME": None,
        "TPM_NOW": NOW.isoformat(),
        "TPM_REPORTS": str(folder / "reports"),
        "HOME": str(folder),
    }
    runner = CliRunner()
    cwd, temp = os.getcwd(), tempfile.tempdir
    os.chdir(folder)
    tempfile.tempdir = str(folder)  # `tpm demo` makes its folder here
    try:
        with runner.isolation(input="", env=env) as (_, err, _both):
            try:
                outcome: Any = cli.main(args, prog_name="tpm", standalone_mode=False)
            except SystemExit as stop:
                outcome = stop.code
            except BaseException as escaped:
                outcome = "".join(traceback.format_exception(escaped))
            stderr = err.getvalue().decode("utf-8", "replace")
    finally:
        os.chdir(cwd)
        tempfile.tempdir = temp
    return outcome, stderr


TRACEBACK = "Traceback (most recent call last)"


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=RUNS)
def test_every_command_exits_0_1_or_2_without_a_traceback(
    template: Path, berlin: None, tmp_path: Path, args: list[str]
) -> None:
    COUNTS["runs"] += 1
    outcome, stderr = run(args, case_folder(template, tmp_path))
    assert outcome in (0, 1, 2), f"tpm {args!r} ended with {outcome!r}\n{stderr}"
    assert TRACEBACK not in stderr, f"tpm {args!r}:\n{stderr}"
    if outcome != 0:
        assert stderr.startswith("tpm: "), f"tpm {args!r} exit {outcome} said {stderr!r}"
    COUNTS["clean exits"] += 1


def test_zz_report_cli_fuzz_counts() -> None:
    """Runs last in this module: how many runs there were and how many exited cleanly."""
    assert COUNTS["runs"], "the CLI fuzz ran"
    record("fuzzed CLI runs", f"{COUNTS['runs']}, clean exits {COUNTS['clean exits']}")
