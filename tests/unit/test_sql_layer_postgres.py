"""The SQL layer on a team server: psycopg alone (the compiled PostgreSQL text) reads
the same values, of the same types, as SQLAlchemy does from the same database, and the
shell's hot commands on a server at the current schema never load SQLAlchemy, SQLModel
or Alembic (their imports were most of a server command's time)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import NOW, run_tpm
from tests.postgres import Server
from tests.unit.test_sql_layer import HOT, STATEMENTS, _env, reads
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.services.demo import build_demo
from tpm_tui.sql.executor import AlchemyExecutor, PsycopgExecutor


@pytest.fixture(scope="module")
def demo(pg_server: Server) -> Iterator[Database]:
    """The demo workspace on the server, opened once."""
    db = open_database(Location(pg_server.url(pg_server.fresh_database()), None, "test"))
    build_demo(db, Clock(NOW))
    yield db
    db.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=reads())
def test_both_executors_read_the_same_values_on_a_server(
    demo: Database, case: tuple[str, Any]
) -> None:
    """Every read statement, with generated parameters, gives equal rows of equal types
    (aware UTC datetimes, dates, booleans, floats) through psycopg and SQLAlchemy."""
    name, params = case
    stmt = STATEMENTS[name]
    with demo.read() as ex:
        assert isinstance(ex, PsycopgExecutor)
        direct = ex.rows(stmt, **params)
    with demo.engine.connect() as conn:
        alchemy = AlchemyExecutor(conn).rows(stmt, **params)
    assert direct == alchemy
    assert [tuple(map(type, row)) for row in direct] == [tuple(map(type, r)) for r in alchemy]
    datetimes = [v for row in direct for v in row if hasattr(v, "tzinfo") and hasattr(v, "hour")]
    assert all(str(v.tzinfo) == "UTC" for v in datetimes)


def test_hot_commands_on_a_server_never_load_sqlalchemy(pg_server: Server) -> None:
    """On a server database at the current schema, the shell's commands run on psycopg
    alone."""
    url = pg_server.url(pg_server.fresh_database())
    assert run_tpm("add", "story", "First", env={"TPM_DB": url}).returncode == 0
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
            env={**_env(), "TPM_DB": url},
            timeout=60,
        )
        assert "LOADED [] 0" in done.stderr, (args, done.stderr)
