"""TPM_READ_ONLY (what `tpm serve --read-only` gives its app processes): every write is
refused with one line, nothing is written, reads still work."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import Seeded, location_for, run_tpm
from tpm_tui.clock import Clock
from tpm_tui.config import READ_ONLY_ENV, read_only_requested
from tpm_tui.db import open_database
from tpm_tui.errors import ReadOnlyWorkspace, StorageError
from tpm_tui.services import backlog


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("yes", True), ("true", True), ("", False), ("0", False), ("no", False)],
)
def test_the_variable_reads_as_a_flag(value: str, expected: bool) -> None:
    assert read_only_requested({READ_ONLY_ENV: value}) is expected
    assert read_only_requested({}) is False


def test_a_read_only_database_refuses_writes_and_still_reads(
    seeded: Seeded, db_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(READ_ONLY_ENV, "1")
    db = open_database(location_for(db_path))
    try:
        assert db.read_only and db.impatient(250).read_only
        before = backlog.get_item(db, seeded.story)
        with pytest.raises(ReadOnlyWorkspace) as refused:
            backlog.move_item(db, clock, seeded.story, "review")
        assert isinstance(refused.value, StorageError)
        message = str(refused.value)
        assert message.startswith(f"{db_path}: ") and "\n" not in message
        assert "read-only" in message
        assert backlog.get_item(db, seeded.story).status == before.status
    finally:
        db.close()


def test_the_command_line_says_so_in_one_line_and_changes_nothing(
    seeded: Seeded, db_path: Path
) -> None:
    seeded.db.close()
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    moved = run_tpm("move", str(seeded.story), "review", db_path=db_path, env={READ_ONLY_ENV: "1"})
    assert moved.returncode == 1
    assert moved.stderr.startswith(f"tpm: {db_path}: ") and moved.stderr.count("\n") == 1
    assert "read-only" in moved.stderr
    listed = run_tpm("list", db_path=db_path, env={READ_ONLY_ENV: "1"})
    assert listed.returncode == 0 and "Export invoices" in listed.stdout
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest
