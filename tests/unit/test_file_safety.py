"""Every file tpm writes is made under a random temporary name with O_EXCL|O_NOFOLLOW,
fsynced and renamed into place, 0600; a link planted at the target is replaced, never
written through, and a file planted at a temporary name is never used. A database made
through a dangling link is private, and doctor checks the file the link points to."""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import location_for, run_tpm
from tpm_tui import db as dbmod
from tpm_tui.config import write_private_text
from tpm_tui.db import Database, open_database
from tpm_tui.services.maintenance import replace_damaged

VICTIM = "another user's file\n"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file someone else owns, that a planted link points at."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_text(VICTIM)
    os.chmod(path, 0o644)
    return path


@pytest.fixture
def predictable_names(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make tempfile's random names predictable, so a test can plant files at them."""
    names = ["planted1", "planted2", "planted3", *(f"free{i}" for i in range(100))]
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: iter(names))
    yield names


def test_a_link_planted_at_the_target_is_replaced_not_written_through(
    tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out.json"
    out.symlink_to(victim)
    write_private_text(out, "the workspace\n")
    assert victim.read_text() == VICTIM
    assert not out.is_symlink() and out.read_text() == "the workspace\n"
    assert _mode(out) == 0o600


def test_the_old_predictable_temporary_name_is_not_followed(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out.json"
    (tmp_path / f".out.json.tmp-{os.getpid()}").symlink_to(victim)
    write_private_text(out, "the workspace\n")
    assert victim.read_text() == VICTIM and _mode(victim) == 0o644
    assert out.read_text() == "the workspace\n" and _mode(out) == 0o600


def test_files_planted_at_temporary_names_are_never_used(
    tmp_path: Path, victim: Path, predictable_names: list[str]
) -> None:
    out = tmp_path / "report.md"
    for name in os.listdir(tmp_path):
        assert not name.startswith(".report.md")
    # a link and a regular file where the first temporary names will be
    planted_link = tmp_path / f".report.md.{predictable_names[0]}.tmp"
    planted_link.symlink_to(victim)
    planted_file = tmp_path / f".report.md.{predictable_names[1]}.tmp"
    planted_file.write_text("planted")
    write_private_text(out, "# Week\n")
    assert victim.read_text() == VICTIM
    assert planted_file.read_text() == "planted" and planted_link.is_symlink()
    assert out.read_text() == "# Week\n" and _mode(out) == 0o600
    leftovers = {p.name for p in tmp_path.iterdir()} - {"elsewhere", out.name}
    assert leftovers == {planted_link.name, planted_file.name}


def test_export_through_a_planted_link(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out.json"
    out.symlink_to(victim)
    result = run_tpm("export", str(out), db_path=tmp_path / "tpm.db")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == VICTIM
    assert not out.is_symlink() and '"format": "tpm-export"' in out.read_text()
    assert _mode(out) == 0o600


def test_a_backup_never_writes_through_a_link_at_its_name(
    db: Database, db_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "_stamp", lambda: "20261126T100000000000Z")
    folder = db_path.parent / "backups"
    folder.mkdir(mode=0o700)
    planted = folder / f"{db_path.name}-20261126T100000000000Z-manual.db"
    planted.symlink_to(victim)
    made = db.backup()
    assert made != planted and planted.is_symlink()
    assert victim.read_text() == VICTIM
    assert _mode(made) == 0o600 and not made.is_symlink()


def test_restoring_over_a_damaged_database_uses_no_planted_temporary(
    tmp_path: Path, victim: Path, predictable_names: list[str]
) -> None:
    good = tmp_path / "good.db"
    open_database(location_for(good)).close()
    damaged = tmp_path / "tpm.db"
    damaged.write_bytes(b"torn" * 1000)
    for name in predictable_names[:3]:
        (tmp_path / f".tpm.db.{name}.tmp").symlink_to(victim)
    (tmp_path / ".tpm.db.restoring").symlink_to(victim)
    replace_damaged(damaged, good)
    assert victim.read_text() == VICTIM
    assert _mode(damaged) == 0o600 and not damaged.is_symlink()
    conn = sqlite3.connect(damaged)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common umask (022): files are 0644 unless tpm makes them private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_database_made_through_a_dangling_link_is_private(
    tmp_path: Path, loose_umask: None
) -> None:
    real = tmp_path / "real" / "tpm.db"
    link = tmp_path / "tpm.db"
    link.symlink_to(real)
    db = open_database(location_for(link))
    with db.orm_write() as session:  # a write: the -wal and -shm files exist meanwhile
        session.connection().exec_driver_sql("UPDATE board_column SET name = name")
        for path in (real, Path(f"{real}-wal"), Path(f"{real}-shm")):
            assert _mode(path) == 0o600, path
    db.close()
    assert link.is_symlink() and _mode(real.parent) == 0o700


def test_doctor_checks_the_files_a_link_points_to(tmp_path: Path, loose_umask: None) -> None:
    real = tmp_path / "real" / "tpm.db"
    real.parent.mkdir()
    link = tmp_path / "tpm.db"
    link.symlink_to(real)
    assert run_tpm("log", "30m", "m", db_path=link).returncode == 0
    # what an earlier tpm left: everything readable by others, -wal and -shm in use
    holder = sqlite3.connect(real)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE board_column SET name = name")
    for path in (real, Path(f"{real}-wal"), Path(f"{real}-shm")):
        os.chmod(path, 0o644)
    try:
        result = run_tpm("doctor", db_path=link)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    for name in ("tpm.db is 644", "tpm.db-wal is 644", "tpm.db-shm is 644"):
        assert name in result.stdout, result.stdout
    assert str(real) in result.stdout


def test_doctor_on_a_dangling_link(tmp_path: Path) -> None:
    link = tmp_path / "tpm.db"
    link.symlink_to(tmp_path / "nowhere" / "tpm.db")
    result = run_tpm("doctor", db_path=link)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "a link to" in result.stdout and "does not exist yet" in result.stdout
    assert "0600" in result.stdout
