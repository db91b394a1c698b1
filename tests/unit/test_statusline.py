"""`tpm status --short`: the short way (before the command line is imported) prints
exactly what the full command prints, and leaves anything unusual to the full command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW, Seeded, run_tpm
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.services import timetrack
from tpm_tui.statusline import quick, render


def _env(path: Path, now: object = NOW) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    return {**env, "TPM_DB": str(path), "TPM_NOW": str(now.isoformat()), "TZ": "Europe/Berlin"}  # type: ignore[attr-defined]


def test_render() -> None:
    assert render(None, 0, "", 370) == "○ 6h10m today"
    assert render("meetings", 25, "standup", 370) == "● meetings 0:25 standup"
    assert render("tooling", 125, "", 0) == "● tooling 2:05"
    long = render("deliverables", 1, "a very long note about the PRD for invoicing", 0)
    assert long == "● deliverables 0:01 a very long note about …"


@pytest.mark.parametrize("state", ["empty", "logged", "running", "forgotten"])
def test_the_short_way_prints_what_the_full_command_prints(
    seeded: Seeded, clock: Clock, state: str
) -> None:
    db: Database = seeded.db
    if state in ("logged", "running"):
        timetrack.log_entry(db, clock, 95, "m", "standup")
        timetrack.log_entry(db, clock, 40, "t", "grooming")
    if state == "running":
        timetrack.start_timer(
            db, Clock(NOW - timedelta(minutes=25)), "d", "PRD draft for invoicing"
        )
    if state == "forgotten":
        timetrack.start_timer(db, Clock(NOW - timedelta(hours=26)), "tooling", "grooming")
    assert db.file is not None
    path = Path(db.file)
    short = quick(["status", "--short"], _env(path))
    assert short is not None  # the short way was taken
    full = run_tpm("status", "--short", db_path=path, env={"TPM_EXECUTOR": "sqlalchemy"})
    assert full.returncode == 0
    assert short + "\n" == full.stdout
    program = subprocess.run(
        [sys.executable, "-m", "tpm_tui", "status", "--short"],
        env=_env(path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert program.stdout == full.stdout


def test_the_short_way_leaves_anything_unusual_to_the_full_command(
    tmp_path: Path, seeded: Seeded
) -> None:
    assert seeded.db.file is not None
    good = Path(seeded.db.file)
    env = _env(good)
    assert quick(["status", "--short"], env) is not None
    assert quick(["--db", str(good), "status", "--short"], env) is not None
    assert quick([f"--db={good}", "status", "--short"], env) is not None
    assert quick(["status"], env) is None  # only the one line
    assert quick(["status", "--short", "--help"], env) is None
    missing = tmp_path / "nothing-here.db"
    assert quick(["--db", str(missing), "status", "--short"], env) is None  # to be created
    other = tmp_path / "other.db"
    other.write_bytes(b"SQLite format 3\x00" + bytes(84))  # another program's header
    assert quick(["--db", str(other), "status", "--short"], env) is None
    assert quick(["--db", "postgresql://ana@db/product", "status", "--short"], env) is None
    assert quick(["--db", "sqlite:///:memory:", "status", "--short"], env) is None
    frozen_wrong = {**env, "TPM_NOW": "not a time"}
    assert quick(["status", "--short"], frozen_wrong) is None  # the full command says why
    done = run_tpm("status", "--short", db_path=good, env={"TPM_NOW": "not a time"})
    assert done.returncode == 2 and "TPM_NOW" in done.stderr


def test_an_older_schema_goes_the_full_way_and_is_upgraded(tmp_path: Path) -> None:
    from tests.reliability.test_storage_attacks import _database_at_0001

    path = tmp_path / "data" / "tpm.db"
    path.parent.mkdir()
    _database_at_0001(path)
    assert quick(["status", "--short"], _env(path)) is None
    done = run_tpm("status", "--short", db_path=path)
    assert done.returncode == 0 and done.stdout == "○ 0m today\n"
    assert quick(["status", "--short"], _env(path)) == "○ 0m today"  # now current
