"""Layered fixtures: a frozen clock, an empty workspace, a seeded workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday of ISO week 2026-W48, mid-morning.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def clock() -> Clock:
    """A clock frozen at Thursday 26 November 2026, 10:00 in Berlin."""
    return Clock(NOW)


def location_for(path: Path) -> Location:
    """A Location for a SQLite file, as the CLI would resolve it."""
    return Location(f"sqlite:///{path}", path, "test")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives (inside its own data folder)."""
    return tmp_path / "data" / "tpm.db"


from tests.postgres import pg_server as pg_server  # the session's server (a fixture)  # noqa: E402

ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests (or modules) marked `both_engines` run once on SQLite and once on a real
    PostgreSQL server; `sqlite_only` keeps one of them (a SQLite file's own behaviour)
    on SQLite alone."""
    marked = metafunc.definition.get_closest_marker("both_engines")
    only = metafunc.definition.get_closest_marker("sqlite_only")
    if marked and not only and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", ENGINES)


@pytest.fixture
def engine() -> str:
    """Which database the test's workspace is on (SQLite unless parametrized)."""
    return "sqlite"


@pytest.fixture
def workspace_location(engine: str, db_path: Path, request: pytest.FixtureRequest) -> Location:
    """Where the test's workspace lives: a SQLite file, or a fresh PostgreSQL database
    (a copy of the migrated template) on the test run's server."""
    if engine == "postgresql":
        server = request.getfixturevalue("pg_server")
        return Location(server.url(server.fresh_database()), None, "test")
    return location_for(db_path)


@pytest.fixture
def db(workspace_location: Location) -> Iterator[Database]:
    """An empty workspace: created, migrated, default columns seeded."""
    database = open_database(workspace_location)
    yield database
    database.close()


@dataclass
class Seeded:
    """Ids of the seeded workspace's items."""

    db: Database
    epic: int
    feature: int
    story: int
    bug: int
    debt: int
    sprint: int


@pytest.fixture
def seeded(db: Database, clock: Clock) -> Seeded:
    """An epic > feature > (story 5 pts, bug 3 pts done, debt 2 pts) and a current sprint."""
    from tpm_tui.services import backlog, planning

    sprint = planning.create_sprint(db, "Sprint 24", date(2026, 11, 23), date(2026, 12, 6))
    # owner="": the same on both engines (on a server a new item is mine by default)
    epic = backlog.create_item(db, clock, "epic", "Self-serve invoicing", owner="")
    feature = backlog.create_item(
        db, clock, "feature", "Invoice export", parent_id=epic.id, owner=""
    )
    story = backlog.create_item(
        db,
        clock,
        "story",
        "Export invoices",
        points=5,
        parent_id=feature.id,
        sprint_id=sprint.id,
        owner="",
    )
    bug = backlog.create_item(
        db, clock, "bug", "PDF totals wrap", points=3, parent_id=feature.id, status="done", owner=""
    )
    debt = backlog.create_item(
        db, clock, "debt", "Replace PDF layout", points=2, parent_id=epic.id, owner=""
    )
    return Seeded(db, epic.id, feature.id, story.id, bug.id, debt.id, sprint.id)


def run_tpm(
    *args: str,
    db_path: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `tpm` program in a subprocess (exit codes, stderr, imports)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    full_env["TPM_NOW"] = NOW.isoformat()
    full_env["TZ"] = "Europe/Berlin"
    if db_path is not None:
        full_env["TPM_DB"] = str(db_path)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tpm_tui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=60,
    )


def pytest_configure(config: pytest.Config) -> None:
    """In the main process, name the file where every process writes its figures
    (before any xdist worker starts, so the workers inherit it)."""
    from tests.reliability.figures import FIGURES_ENV

    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get(FIGURES_ENV):
        return
    import tempfile

    handle, name = tempfile.mkstemp(prefix="tpm-figures-", suffix=".jsonl")
    os.close(handle)
    os.environ[FIGURES_ENV] = name

    def forget() -> None:
        os.environ.pop(FIGURES_ENV, None)
        Path(name).unlink(missing_ok=True)

    config.add_cleanup(forget)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the reliability tests tried and what survived."""
    from tests.reliability.figures import collected

    figures = collected()
    if figures:
        terminalreporter.section("reliability figures")
        for name, value in figures.items():
            terminalreporter.write_line(f"{name}: {value}")
