"""The SQL layer: compiled.py is what statements.py compiles to, both executors read the
same values from the same database, and the shell's hot commands never load SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, location_for, run_tpm
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.services.demo import build_demo
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import AlchemyExecutor, SqliteExecutor
from tpm_tui.sql.stmt import Stmt

STATEMENTS = {name: v for name, v in vars(q).items() if isinstance(v, Stmt)}
READS = sorted(name for name, stmt in STATEMENTS.items() if stmt.sqlite.startswith("SELECT"))


def test_compiled_sql_is_what_the_statements_compile_to() -> None:
    from tpm_tui.sql import generate
    from tpm_tui.sql.statements import REGISTRY

    assert generate.TARGET.read_text(encoding="utf-8") == generate.render(), (
        "run `python -m tpm_tui.sql.generate`"
    )
    assert set(STATEMENTS) == set(REGISTRY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo workspace (a realistic backlog and a month of time), opened once."""
    db = open_database(location_for(tmp_path_factory.mktemp("demo") / "tpm.db"))
    build_demo(db, Clock(NOW))
    yield db
    db.close()


IDS = st.integers(min_value=-1, max_value=60)
MOMENTS = st.integers(min_value=-40 * 24, max_value=2 * 24).map(
    lambda hours: NOW + timedelta(hours=hours, minutes=17)
)
DAYS = st.integers(min_value=-60, max_value=60).map(lambda days: NOW.date() + timedelta(days=days))
WORDS = st.lists(st.sampled_from(["export", "a", "e", "invoice", "%", "_", "ü", "x"]), max_size=3)
TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            *("backlog", "todo", "in_progress", "review", "done"),
            *("epic", "story", "bug", "debt", "ana", "ben", "week-target", "meetings"),
            *("any", "none", "current", "name", "sprint 24", "=", "<", ">=", "<="),
        ]
    ),
    WORDS.map(lambda ws: json.dumps([f"%{w}%" for w in ws])),
)
KINDS = st.lists(st.sampled_from(["epic", "feature", "story", "bug", "debt"]), max_size=5)


def _value(kind: str) -> st.SearchStrategy[Any]:
    return {
        "int": st.one_of(st.none(), IDS),
        "str": TEXTS,
        "bool": st.booleans(),
        "date": DAYS,
        "datetime": MOMENTS,
        "list:str": KINDS,
        "list:int": st.lists(IDS, max_size=5),
    }[kind]


@st.composite
def reads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(READS))
    params = {param: draw(_value(kind)) for param, kind in STATEMENTS[name].params}
    if "words" in params:  # a JSON list of LIKE patterns (the filter's free words)
        params["words"] = draw(st.one_of(st.none(), WORDS.map(lambda ws: json.dumps(ws))))
    if "limit" in params:
        params["limit"] = draw(st.integers(min_value=0, max_value=30))
    if params.get("words") is not None:  # a JSON list of patterns, as the service passes
        params["words"] = draw(WORDS.map(lambda ws: json.dumps([f"%{w}%" for w in ws])))
    return name, params


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=reads())
def test_both_executors_read_the_same_values(demo: Database, case: tuple[str, Any]) -> None:
    """Every read statement, with generated parameters, gives equal rows (equal types
    too: aware UTC datetimes, dates, booleans) through stdlib sqlite3 and SQLAlchemy."""
    name, params = case
    stmt = STATEMENTS[name]
    assert demo.file is not None
    connection = demo.raw_connection()
    try:
        stdlib = SqliteExecutor(connection).rows(stmt, **params)
    finally:
        connection.close()
    with demo.engine.connect() as conn:
        alchemy = AlchemyExecutor(conn).rows(stmt, **params)
    assert stdlib == alchemy
    assert [tuple(map(type, row)) for row in stdlib] == [tuple(map(type, r)) for r in alchemy]


def test_read_statements_return_something_somewhere(demo: Database) -> None:
    """The equivalence above is not empty: the demo holds rows for the main reads."""
    connection = demo.raw_connection()
    try:
        ex = SqliteExecutor(connection, {"person": "", "whose": None})
        assert len(ex.rows(q.columns_all)) == 5
        assert ex.rows(q.rollups_by_parent) and ex.rows(q.sprints_all)
        start, end = NOW - timedelta(days=7), NOW
        assert ex.rows(q.entries_between, start=start, end=end, now=NOW)
        assert all(isinstance(r[2], datetime) and r[2].tzinfo for r in ex.rows(q.entry_row, id=1))
        assert isinstance(ex.rows(q.sprints_all)[0][2], date)
    finally:
        connection.close()


HOT = [
    ["log", "30m", "m", "standup"],
    ["start", "t", "grooming"],
    ["status"],
    ["status", "--short"],
    ["stop"],
    ["report"],
    ["report", "--format", "json"],
    ["list", "--format", "json"],
    ["list", "--status", "todo"],
    ["move", "1", "review"],
    ["add", "story", "Fast"],
    ["edit", "1", "--points", "3"],
]


def test_hot_commands_never_load_sqlalchemy(tmp_path: Path) -> None:
    """On a local workspace at the current schema, the shell's commands run on the
    standard library alone (SQLAlchemy, SQLModel and pydantic cost ~350 ms to import)."""
    path = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "First", db_path=path).returncode == 0  # creates it
    script = (
        "import sys\n"
        "from tpm_tui.cli import cli\n"
        "args = sys.argv[1:]\n"
        "code = cli.main(args, standalone_mode=False)\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'textual')"
        " if m in sys.modules]\n"
        "print('LOADED', heavy, code, file=sys.stderr)\n"
    )
    for args in HOT:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env={**_env(), "TPM_DB": str(path)},
            timeout=60,
        )
        assert "LOADED [] 0" in done.stderr, (args, done.stderr)


def test_an_older_workspace_is_migrated_with_a_backup_by_tpm_log(tmp_path: Path) -> None:
    """The stdlib path is only for a current schema: `tpm log` on a 0001 workspace
    upgrades it first (through Alembic, after a backup), then logs."""
    from tests.reliability.test_storage_attacks import _database_at_0001

    path = tmp_path / "data" / "tpm.db"
    path.parent.mkdir()
    _database_at_0001(path)
    done = run_tpm("log", "30m", "m", "standup", db_path=path)
    assert done.returncode == 0, done.stderr
    backups = list((path.parent / "backups").glob("tpm.db-*-before-*.db"))
    assert len(backups) == 1
    report = json.loads(run_tpm("report", "--format", "json", db_path=path).stdout)
    assert report["categories"]["meetings"]["minutes"] == 30


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"})
    return env
