"""The command-line fuzz (test_cli_fuzz) on a PostgreSQL database: every command with
generated arguments, on a copy of the same seeded workspace on the test run's server,
exits 0, 1 or 2 and never shows a traceback."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.postgres import Server
from tests.reliability.figures import record
from tests.reliability.test_cli_fuzz import (
    CASES,
    RUNS,
    TRACEBACK,
    _serve_stops_at_once,  # noqa: F401 (an autouse fixture of this module too)
    berlin,  # noqa: F401 (a fixture)
    case_folder,
    run,
    seed,
    seed_location,
)
from tpm_tui.config import Location

RUNS_HERE = max(20, CASES // 2)  # a database copied per run: slower than a file copy
COUNTS = {"runs": 0, "clean exits": 0}
_names = itertools.count(1)


@pytest.fixture(scope="module")
def seeded_database(pg_server: Server) -> str:
    """A seeded server database, the template of every run's own copy."""
    name = pg_server.fresh_database()
    seed_location(Location(pg_server.url(name), None, "test"))
    return name


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded file the runs that name another --db start from."""
    return seed(tmp_path_factory.mktemp("cli-template") / "tpm.db")


@settings(
    max_examples=RUNS_HERE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=RUNS)
def test_every_command_on_a_server_exits_0_1_or_2_without_a_traceback(
    pg_server: Server,
    seeded_database: str,
    template: Path,
    berlin: None,  # noqa: F811
    tmp_path: Path,
    args: list[str],
) -> None:
    COUNTS["runs"] += 1
    name = f"c{os.getpid()}_{next(_names)}"
    pg_server.psql(f"CREATE DATABASE {name} TEMPLATE {seeded_database}")
    try:
        outcome, stderr = run(args, case_folder(template, tmp_path), pg_server.url(name))
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert outcome in (0, 1, 2), f"tpm {args!r} ended with {outcome!r}\n{stderr}"
    assert TRACEBACK not in stderr, f"tpm {args!r}:\n{stderr}"
    if outcome != 0:
        assert stderr.startswith("tpm: "), f"tpm {args!r} exit {outcome} said {stderr!r}"
    COUNTS["clean exits"] += 1


def test_zz_report_counts() -> None:
    """Runs last in this module: how many runs there were and how many exited cleanly."""
    assert COUNTS["runs"], "the CLI fuzz on PostgreSQL ran"
    record(
        "fuzzed CLI runs on PostgreSQL", f"{COUNTS['runs']}, clean exits {COUNTS['clean exits']}"
    )
