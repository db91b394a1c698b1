"""One implementation of each command, two executors on a team server: random
sequences of the shell's hot commands run on two copies of one PostgreSQL database,
one through psycopg alone (the compiled PostgreSQL text) and one through SQLAlchemy
(TPM_EXECUTOR=sqlalchemy), must print the same things and leave the same rows in
every table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import NOW
from tests.postgres import Server
from tests.reliability.figures import record
from tests.reliability.test_executor_equivalence import SEQUENCES, run_both
from tests.reliability.test_executor_equivalence import berlin as berlin
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services.demo import build_demo

CASES = int(os.environ.get("TPM_EQUIVALENCE_CASES_PG", "40"))
TEMPLATE = "equivalence_template"
COUNTS = {"sequences": 0, "commands": 0}


@pytest.fixture(scope="module")
def template(pg_server: Server) -> Iterator[Server]:
    """The demo workspace both copies start from, as a template database."""
    pg_server.psql(f"CREATE DATABASE {TEMPLATE} TEMPLATE tpm_template")
    db = open_database(Location(pg_server.url(TEMPLATE), None, "test"))
    build_demo(db, Clock(NOW - timedelta(hours=3)))
    db.close()
    yield pg_server


def dump(server: Server, database: str) -> str:
    """Every row of every table, in id order, as the server prints them."""
    tables = server.psql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", database
    ).split()
    return "\n".join(
        f"{table}:\n" + server.psql(f'SELECT * FROM "{table}" ORDER BY 1', database)
        for table in tables
    )


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=SEQUENCES)
def test_both_executors_print_and_store_the_same_on_a_server(
    template: Server, sequence: list[tuple[list[str], int]]
) -> None:
    server = template
    names = {executor: server.fresh_database(TEMPLATE) for executor in ("", "sqlalchemy")}
    try:
        urls: dict[str, Path | str] = {e: server.url(name) for e, name in names.items()}
        COUNTS["commands"] += run_both(sequence, urls)
        assert dump(server, names[""]) == dump(server, names["sqlalchemy"])
    finally:
        for name in names.values():
            server.psql(f"DROP DATABASE {name} WITH (FORCE)")
    COUNTS["sequences"] += 1


def test_zz_report_equivalence_counts() -> None:
    """Runs last in this module: how many sequences and commands were compared."""
    assert COUNTS["sequences"], "the equivalence property ran"
    record(
        "executor equivalence (PostgreSQL)",
        f"{COUNTS['sequences']} command sequences ({COUNTS['commands']} commands): psycopg "
        "and SQLAlchemy printed and stored the same",
    )
