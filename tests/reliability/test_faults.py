"""A read-only database, a read-only folder and a full disk: one clear line, exit 1,
the previous data intact. (Root ignores permission bits, so the file system is made
to refuse: `chattr +i` and a tiny tmpfs; skipped where the machine does not allow it.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_tpm
from tests.reliability.figures import record

RESULTS: list[str] = []


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths made immutable in the test, released afterwards."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        _chattr("-i", path)


def _assert_refused(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr


def _export(db: Path) -> str:
    return (
        run_tpm("export", db_path=db).stdout.split('"exported_at"')[0]
        + run_tpm("list", "--format", "json", db_path=db).stdout
    )


def test_read_only_database_file(tmp_path: Path, immutable: list[Path]) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    before = db.read_bytes()
    for sidecar in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        sidecar.unlink(missing_ok=True)
    if not _chattr("+i", db):
        pytest.skip("chattr +i is not available here")
    immutable.append(db)
    result = run_tpm("add", "story", "Refused", db_path=db)
    _assert_refused(result, db)
    assert db.read_bytes() == before
    RESULTS.append(f"read-only file: exit {result.returncode}, {result.stderr.strip()!r}")
    record("read-only database", RESULTS[-1])


def test_read_only_folder(tmp_path: Path, immutable: list[Path]) -> None:
    folder = tmp_path / "data"
    db = folder / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    before = db.read_bytes()
    if not _chattr("+i", folder):
        pytest.skip("chattr +i is not available here")
    immutable.append(folder)
    result = run_tpm("log", "30m", "meetings", db_path=db)
    _assert_refused(result, db)
    assert db.read_bytes() == before
    created = run_tpm("status", db_path=folder / "new.db")
    _assert_refused(created, folder / "new.db")
    record("read-only folder", f"exit {result.returncode}, {result.stderr.strip()!r}")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tiny file system here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_refuses_the_write_and_keeps_the_data(tmp_path: Path, tiny_disk: Path) -> None:
    db = tiny_disk / "tpm.db"
    assert run_tpm("add", "story", "Kept", db_path=db).returncode == 0
    assert run_tpm("log", "30m", "meetings", "before", db_path=db).returncode == 0
    before = _export(db)
    # an import far larger than the 400 KiB disk
    data = json.loads(run_tpm("export", db_path=db).stdout)
    start = 1_700_000_000
    data["time_entries"] = [
        {
            "id": i + 1,
            "category": "tooling",
            "note": "x" * 200,
            "item_id": None,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 7200)),
            "ended_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 7200 + 60)),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 7200 + 60)),
        }
        for i in range(20_000)
    ]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(data))
    result = run_tpm("import", str(big), "--replace", db_path=db)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (
        "disk" in result.stderr.lower()
        or "full" in result.stderr.lower()
        or "space" in result.stderr.lower()
    )
    assert _export(db) == before
    assert run_tpm("doctor", db_path=db).returncode in (0, 1)  # runs; integrity checked next
    assert "✓ integrity   ok" in run_tpm("doctor", db_path=db).stdout
    record("full disk", f"exit {result.returncode}, {result.stderr.strip()!r}; data as before")
