"""Backups: pruned by the exact identity of their database and by time, never the one
just written; written under a temporary name and renamed when complete; and doctor
recommends only a backup that passes the same check restore makes."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import NOW, run_tpm
from tpm_tui import db as dbmod
from tpm_tui.cli import cli
from tpm_tui.db import Database, backups_of
from tpm_tui.services.maintenance import check_backup

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _tpm(path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["--db", str(path), *args],
        env={"TPM_NOW": NOW.isoformat(), "TPM_HOME": "", "TPM_DB": ""},
        catch_exceptions=False,
    )


def _titles(backup: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM work_item ORDER BY id")]
    finally:
        conn.close()


def test_pruning_another_databases_backups_never_takes_this_ones(tmp_path: Path) -> None:
    """The reported case: `work.db`'s backup was deleted by prefix-matching `work-old`."""
    work, old = tmp_path / "work.db", tmp_path / "work-old.db"
    assert _tpm(work, "add", "epic", "PRECIOUS").exit_code == 0
    assert _tpm(old, "add", "epic", "Old stuff").exit_code == 0
    export = tmp_path / "e.json"
    assert _tpm(old, "export", str(export)).exit_code == 0
    for _ in range(6):
        assert _tpm(old, "import", "--replace", str(export)).exit_code == 0
    result = _tpm(work, "import", "--replace", str(export))
    assert result.exit_code == 0, result.output
    said = Path(result.stdout.rsplit("the previous workspace is in ", 1)[1].strip())
    assert said.exists(), said
    assert _titles(said) == ["PRECIOUS"]
    # each database keeps its own newest five
    assert len(backups_of(old)) == dbmod.BACKUPS_KEPT
    assert backups_of(work) == [said]


def test_pruning_is_by_time_and_never_the_file_just_written(db: Database, db_path: Path) -> None:
    folder = db_path.parent / "backups"
    folder.mkdir()
    # five automatic backups stamped in the future (a clock that was wrong once)
    future = [
        folder / f"{db_path.name}-2099010{i}T000000000000Z-before-import.db" for i in range(5)
    ]
    for path in future:
        path.write_bytes(b"")
    made = db.backup(reason="before-import")
    assert made.exists()
    kept = backups_of(db_path)
    assert made in kept and len(kept) == dbmod.BACKUPS_KEPT
    assert future[0] not in kept  # the oldest of the others went


def test_manual_and_foreign_files_are_never_pruned(db: Database, db_path: Path) -> None:
    folder = db_path.parent / "backups"
    folder.mkdir()
    theirs = [
        folder / "tpm-old-20200101T000000000000Z-before-import.db",
        folder / "tpm.db.bak",
        folder / "notes.txt",
        folder / f"{db_path.name}-20200101T000000000000Z-manual.db",
    ]
    for path in theirs:
        path.write_text("keep me")
    for _ in range(dbmod.BACKUPS_KEPT + 2):
        db.backup(reason="before-0003")
    for path in theirs:
        assert path.read_text() == "keep me"


def test_backup_names_are_unique_even_in_the_same_instant(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "_stamp", lambda: "20261126T100000000000Z")
    made = {db.backup(reason="before-0003") for _ in range(3)}
    assert len(made) == 3 and all(p.exists() for p in made)


def test_backup_is_sound_and_private(db: Database, db_path: Path) -> None:
    made = db.backup()
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    assert check_backup(made) == dbmod.HEAD_REVISION
    assert made.name.startswith(f"{db_path.name}-") and made.name.endswith("-manual.db")


CRASH_IN_BACKUP = """
import os, sys
from tpm_tui.cli import cli
real_fsync = os.fsync
def crash(fd):
    os._exit(9)  # like kill -9: no clean-up runs
os.fsync = crash
cli.main(["backup"], standalone_mode=False)
"""


def test_a_backup_killed_midway_leaves_nothing_named_like_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": str(db), "TPM_NOW": NOW.isoformat()})
    died = subprocess.run([sys.executable, "-c", CRASH_IN_BACKUP], env=env, capture_output=True)
    assert died.returncode == 9, died.stderr
    assert backups_of(db) == []
    assert list((tmp_path / "backups").glob("*.db")) == []


def test_doctor_never_recommends_a_backup_that_fails_its_check(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "Worth keeping", db_path=db).returncode == 0
    good = Path(run_tpm("backup", db_path=db).stdout.strip())
    # a junk file named like a newer backup (what an interrupted older tpm left behind)
    junk = good.with_name(f"{db.name}-21000101T000000000000Z-manual.db")
    junk.write_bytes(good.read_bytes()[:4096])
    assert backups_of(db)[0] == junk  # it is the newest by its name
    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) // 2])
    result = run_tpm("doctor", db_path=db)
    assert result.returncode == 1
    assert f"tpm restore {good}" in result.stdout, result.stdout
    assert f"tpm restore {junk}" not in result.stdout


def test_restore_and_migration_backups_share_the_pruning(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert _tpm(db, "add", "story", "Kept").exit_code == 0
    manual = Path(_tpm(db, "backup").stdout.strip())
    for _ in range(dbmod.BACKUPS_KEPT + 1):
        assert _tpm(db, "restore", str(manual)).exit_code == 0
    automatic = [p for p in backups_of(db) if "-before-" in p.name]
    assert len(automatic) == dbmod.BACKUPS_KEPT
    assert manual.exists()


def test_the_import_message_names_the_backup_that_holds_the_old_workspace(
    tmp_path: Path,
) -> None:
    db = tmp_path / "tpm.db"
    assert _tpm(db, "add", "story", "Old").exit_code == 0
    data = json.loads(_tpm(db, "export").stdout)
    data["items"][0]["title"] = "New"
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    result = _tpm(db, "import", "--replace", str(new))
    said = Path(result.stdout.rsplit("the previous workspace is in ", 1)[1].strip())
    assert _titles(said) == ["Old"]


def test_a_write_made_while_restoring_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `tpm log` from another process right after the pre-restore backup is taken:
    it waits for the restore (the lock is held from the backup to the end) and lands on
    the restored workspace, or it is in the backup; never lost between the two."""
    db = tmp_path / "tpm.db"
    assert _tpm(db, "add", "story", "In the backup").exit_code == 0
    backup = Path(_tpm(db, "backup").stdout.strip())
    assert _tpm(db, "add", "story", "Current").exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": str(db), "TPM_NOW": NOW.isoformat()})
    real_backup = Database.backup
    writers: list[subprocess.Popen[str]] = []

    def backup_then_a_write_arrives(self: Database, *args: object, **kwargs: object) -> Path:
        made = real_backup(self, *args, **kwargs)  # type: ignore[arg-type]
        writer = subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", "log", "30m", "m", "meanwhile"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        writers.append(writer)
        with contextlib.suppress(subprocess.TimeoutExpired):
            writer.wait(timeout=4)  # done at once if nothing holds the lock
        return made

    monkeypatch.setattr(Database, "backup", backup_then_a_write_arrives)
    restored = _tpm(db, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    previous = Path(restored.stdout.rsplit("the previous state is in ", 1)[1].strip())
    _out, err = writers[0].communicate(timeout=60)
    assert writers[0].returncode == 0, err
    notes = set()
    for path in (db, previous):
        conn = sqlite3.connect(path)
        notes |= {row[0] for row in conn.execute("SELECT note FROM time_entry")}
        conn.close()
    assert "meanwhile" in notes


def test_restoring_a_backup_from_an_older_schema_upgrades_it_next(tmp_path: Path) -> None:
    from tests.reliability.test_storage_attacks import _database_at_0001

    old = tmp_path / "old" / "tpm.db"
    old.parent.mkdir()
    _database_at_0001(old)
    db = tmp_path / "tpm.db"
    assert _tpm(db, "add", "story", "Current").exit_code == 0
    restored = _tpm(db, "restore", str(old))
    assert restored.exit_code == 0, restored.output
    assert "(schema 0001)" in restored.stdout
    listed = _tpm(db, "list")
    assert "Old epic" in listed.stdout and "Current" not in listed.stdout
    assert [p for p in backups_of(db) if p.name.endswith(f"-before-{dbmod.HEAD_REVISION}.db")]
