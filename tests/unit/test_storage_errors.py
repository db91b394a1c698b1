"""One line, not a traceback: names too long for the file system, and `tpm doctor` on
a database with a damaged page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_tpm

LONG = "x" * 300 + ".db"


def _one_line(result: object, code: int) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr


@pytest.mark.parametrize(
    "value",
    [LONG, f"sqlite:///{LONG}", "folder/" + "y" * 256 + "/tpm.db", "z/" * 2100 + "tpm.db"],
)
def test_a_name_too_long_in_db_is_one_line(tmp_path: Path, value: str) -> None:
    target = value if value.startswith("sqlite") else str(tmp_path / value)
    result = run_tpm("--db", target, "list")
    _one_line(result, 2)
    assert "too long" in result.stderr
    result = run_tpm("list", env={"TPM_DB": target})
    _one_line(result, 2)


def test_a_name_too_long_in_restore_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    result = run_tpm("restore", str(tmp_path / LONG), db_path=db)
    _one_line(result, 2)
    assert "too long" in result.stderr


def _damage_a_page(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO work_item (kind, title, description, acceptance, status, rank, owner,"
        " created_at, updated_at) VALUES ('story', ?, ?, '', 'backlog', 1, '',"
        " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')",
        [(f"t{i}", "d" * 300) for i in range(300)],
    )
    conn.commit()
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'work_item'").fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((root[0] - 1) * size)
        handle.write(b"\xff" * 64)


def test_doctor_on_a_database_with_a_damaged_page(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    backup = Path(run_tpm("backup", db_path=db).stdout.strip())
    _damage_a_page(db)
    result = run_tpm("doctor", db_path=db)
    _one_line(result, 1)
    assert "✗ integrity" in result.stdout, result.stdout
    assert f"tpm restore {backup}" in result.stdout
    # the other commands say so in one line too
    for args in (["list"], ["export"]):
        _one_line(run_tpm(*args, db_path=db), 1)
