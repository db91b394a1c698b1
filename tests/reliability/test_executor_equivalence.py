"""One implementation of each command, two executors: random sequences of the shell's
hot commands run on two copies of one workspace, one through the standard library's
sqlite3 and one through SQLAlchemy (TPM_EXECUTOR=sqlalchemy), must print the same
things and leave the same bytes in every table, row for row."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time as time_module
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, location_for
from tests.reliability.figures import record
from tpm_tui.cli import cli
from tpm_tui.clock import Clock
from tpm_tui.db import open_database
from tpm_tui.services.demo import build_demo

CASES = int(os.environ.get("TPM_EQUIVALENCE_CASES", "200"))
COUNTS = {"sequences": 0, "commands": 0}

IDS = st.sampled_from(["1", "3", "7", "12", "25", "40", "999"])
COLUMNS = st.sampled_from(["backlog", "todo", "in progress", "rev", "done", "nope"])
CATEGORIES = st.sampled_from(["m", "t", "d", "meetings", "x"])
NOTES = st.lists(st.sampled_from(["standup", "grooming", "PRD", "1:1", "[b]x[/b]"]), max_size=2)
COMMANDS = st.one_of(
    st.tuples(
        st.just("log"),
        st.sampled_from(["30m", "1h", "90", "25h", "9:00-9:30", "0m", "1h30"]),
        CATEGORIES,
    ).flatmap(
        lambda t: st.tuples(
            st.just(list(t)),
            NOTES,
            st.sampled_from([[], ["--date", "yesterday"], ["--date", "mon"], ["--item", "3"]]),
        ).map(lambda u: u[0] + u[1] + u[2])
    ),
    st.tuples(st.just("start"), CATEGORIES, NOTES).map(lambda t: [t[0], t[1], *t[2]]),
    st.sampled_from([["stop"], ["stop", "--keep"], ["stop", "--at", "08:30"]]),
    st.sampled_from([["status"], ["status", "--short"]]),
    st.sampled_from(
        [
            ["report"],
            ["report", "--format", "json"],
            ["report", "--format", "md"],
            ["report", "--format", "csv", "--week", "2026-W47"],
        ]
    ),
    st.sampled_from(
        [
            ["list", "--format", "json"],
            ["list", "--status", "todo"],
            ["list", "--kind", "bug"],
            ["list", "--kind", "epic", "--format", "json"],
        ]
    ),
    st.tuples(IDS, COLUMNS).map(lambda t: ["move", t[0], t[1]]),
    st.tuples(
        st.sampled_from(["story", "bug", "debt", "feature", "epic"]),
        st.sampled_from(["Export", "Fix it", ""]),
        st.sampled_from([[], ["--points", "5"], ["--parent", "1"], ["--status", "todo"]]),
    ).map(lambda t: ["add", t[0], t[1], *t[2]]),
    st.tuples(
        IDS, st.sampled_from([["--points", "8"], ["--title", "Renamed"], ["--status", "done"]])
    ).map(lambda t: ["edit", t[0], *t[1]]),
    st.sampled_from(
        [
            ["sprint", "show", "--format", "json"],
            ["sprint", "show", "Sprint 23", "--format", "json"],
            ["sprint", "show", "--format", "md"],
            ["sprint", "list", "--format", "json"],
            ["sprint", "capacity"],
        ]
    ),
    st.tuples(
        st.sampled_from(["add", "remove"]),
        st.sampled_from(["Sprint 24", "current", "Sprint 23", "Sprint 99"]),
        st.lists(IDS, min_size=1, max_size=2),
    ).map(lambda t: ["sprint", t[0], t[1], *t[2]]),
    st.sampled_from(
        [["standup"], ["standup", "--format", "md"], ["standup", "--date", "yesterday"]]
    ),
)
# Each command runs a little later than the one before (minutes), as in a real day.
SEQUENCES = st.lists(st.tuples(COMMANDS, st.integers(min_value=0, max_value=300)), max_size=8)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace both copies start from."""
    path = tmp_path_factory.mktemp("equivalence") / "tpm.db"
    db = open_database(location_for(path))
    build_demo(db, Clock(NOW - timedelta(hours=3)))
    db.close()
    return path


@pytest.fixture(scope="module", autouse=True)
def berlin() -> Iterator[None]:
    """TZ as the subprocess tests set it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time_module.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time_module.tzset()


def run(args: list[str], db: Path | str, now: str, executor: str) -> tuple[Any, str, str]:
    """`tpm ARGS` in process on a file (its folder as HOME) or a server URL: exit code,
    standard output, standard error."""
    env = {"TPM_DB": str(db), "TPM_HOME": None, "TPM_NOW": now, "TPM_EXECUTOR": executor}
    if isinstance(db, Path):
        env["HOME"] = str(db.parent)
    with CliRunner().isolation(input="", env=env) as (out, err, _both):
        try:
            code: Any = cli.main(args, prog_name="tpm", standalone_mode=False)
        except SystemExit as stop:
            code = stop.code
        return code, out.getvalue().decode(), err.getvalue().decode()


def run_both(sequence: list[tuple[list[str], int]], dbs: dict[str, Path | str]) -> int:
    """Each command of `sequence` on each database, a few minutes after the one before,
    through the executor each is keyed by (`` is the engine's own): the same output.
    Returns how many commands were compared."""
    moment = NOW
    for args, minutes in sequence:
        moment += timedelta(minutes=minutes)
        outputs = [run(args, db, moment.isoformat(), executor) for executor, db in dbs.items()]
        first, second = outputs
        assert first == second, f"tpm {' '.join(args)}"
    return len(sequence)


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as stored (text stays text: formats must match too)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=SEQUENCES)
def test_both_executors_print_and_store_the_same(
    template: Path, tmp_path: Path, sequence: list[tuple[list[str], int]]
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    paths: dict[str, Path | str] = {}
    for executor in ("stdlib", "sqlalchemy"):
        (folder / executor).mkdir()
        paths[executor] = folder / executor / "tpm.db"
        shutil.copy(template, paths[executor])
    COUNTS["commands"] += run_both(sequence, paths)
    assert dump(Path(paths["stdlib"])) == dump(Path(paths["sqlalchemy"]))
    COUNTS["sequences"] += 1


def test_zz_report_equivalence_counts() -> None:
    """Runs last in this module: how many sequences and commands were compared."""
    assert COUNTS["sequences"], "the equivalence property ran"
    record(
        "executor equivalence",
        f"{COUNTS['sequences']} command sequences ({COUNTS['commands']} commands): stdlib "
        "sqlite3 and SQLAlchemy printed and stored the same",
    )
