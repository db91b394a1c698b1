"""tpm doctor, backup and restore."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from tests.conftest import run_tpm
from tpm_tui.db import HEAD_REVISION


def test_doctor_on_a_healthy_workspace(tmp_path: Path) -> None:
    db = tmp_path / "data" / "tpm.db"
    assert run_tpm("add", "story", "Export invoices", db_path=db).returncode == 0
    assert run_tpm("start", "m", "standup", db_path=db).returncode == 0
    result = run_tpm("doctor", db_path=db)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for expected in (
        f"· database    {db}",
        "✓ permissions folder 700, database 600",
        f"✓ schema      revision {HEAD_REVISION} (current)",
        "✓ journal     wal",
        "✓ integrity   ok",
        "✓ references  ok",
        "· contents    1 items (0 archived), 1 time entries, 0 sprints",
        "· timer       running: meetings · standup since",
        "· backups     none yet",
    ):
        assert expected in out, (expected, out)


def test_doctor_says_what_is_wrong_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("log", "30m", "m", db_path=db).returncode == 0
    os.chmod(db, 0o644)
    result = run_tpm("doctor", db_path=db)
    assert result.returncode == 1
    assert "✗ permissions tpm.db is 644" in result.stdout and "chmod 600" in result.stdout
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    os.chmod(db, 0o600)
    result = run_tpm("doctor", db_path=db)
    assert result.returncode == 1 and "revision 0999 is unknown to this tpm" in result.stdout


def test_doctor_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("hello " * 1000)
    result = run_tpm("doctor", db_path=notes)
    assert result.returncode == 1 and "✗ open" in result.stdout and "Traceback" not in result.stderr


def test_backup_then_restore_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    run_tpm("add", "story", "Before the backup", db_path=db)
    made = run_tpm("backup", db_path=db)
    assert made.returncode == 0
    backup = Path(made.stdout.strip())
    assert backup.parent == tmp_path / "backups"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    run_tpm("add", "story", "After the backup", db_path=db)
    restored = run_tpm("restore", str(backup), db_path=db)
    assert restored.returncode == 0, restored.stderr
    previous = Path(restored.stdout.rsplit("the previous state is in ", 1)[1].strip())
    titles = run_tpm("list", "--format", "json", db_path=db).stdout
    assert "Before the backup" in titles and "After the backup" not in titles
    conn = sqlite3.connect(previous)
    assert conn.execute("SELECT count(*) FROM work_item").fetchone() == (2,)
    conn.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    run_tpm("add", "story", "Kept", db_path=db)
    before = run_tpm("export", db_path=db).stdout
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite " * 100)
    for target, message in (
        (junk, "not a tpm backup"),
        (tmp_path / "missing.db", "no such file"),
        (db, "the database itself"),
    ):
        result = run_tpm("restore", str(target), db_path=db)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    after = run_tpm("export", db_path=db).stdout
    assert before.split('"exported_at"')[0] == after.split('"exported_at"')[0]
    assert '"Kept"' in after


def test_restore_of_an_archived_item_still_works(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    run_tpm("add", "bug", "Footer year", db_path=db)
    run_tpm("archive", "1", db_path=db)
    result = run_tpm("restore", "1", db_path=db)
    assert result.returncode == 0 and result.stdout.startswith("restored #1 bug")


def test_restore_rescues_a_damaged_database(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    run_tpm("add", "story", "Worth keeping", db_path=db)
    backup = Path(run_tpm("backup", db_path=db).stdout.strip())
    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) // 2])  # torn in half
    assert run_tpm("list", db_path=db).returncode == 1
    assert run_tpm("doctor", db_path=db).returncode == 1
    restored = run_tpm("restore", str(backup), db_path=db)
    assert restored.returncode == 0, restored.stderr
    kept = Path(restored.stdout.rsplit("the previous state is in ", 1)[1].strip())
    assert kept.name.endswith("-damaged.db") and kept.read_bytes() == raw[: len(raw) // 2]
    assert "Worth keeping" in run_tpm("list", db_path=db).stdout
    assert "✓ integrity   ok" in run_tpm("doctor", db_path=db).stdout
