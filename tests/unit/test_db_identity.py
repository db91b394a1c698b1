"""Refused means untouched: tpm identifies its own database (application id, or an
earlier tpm's revision and tables) before changing anything, and refuses every other
file byte for byte; in-memory databases are refused before any file is made."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import location_for, run_tpm
from tpm_tui.config import ConfigError, resolve_location
from tpm_tui.db import APPLICATION_ID, HEAD_REVISION, open_database
from tpm_tui.errors import StorageError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder_state(folder: Path) -> dict[str, str]:
    """Every file in the folder with its digest: nothing added, nothing changed."""
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _sqlite(*statements: str) -> Callable[[Path], None]:
    """A maker of a SQLite file holding what the statements make."""

    def make(path: Path) -> None:
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()

    return make


_VERSION_TABLE = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
_other_app = _sqlite(
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
    "INSERT INTO customers (name) VALUES ('ACME')",
)
_other_app_in_wal = _sqlite(
    "PRAGMA journal_mode=WAL",
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
    "INSERT INTO notes (body) VALUES ('mine')",
)
_other_alembic_app = _sqlite(
    _VERSION_TABLE,
    "INSERT INTO alembic_version VALUES ('0001')",
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY)",
)
_empty_alembic_version = _sqlite(_VERSION_TABLE)
_tpm_revision_without_tpm_tables = _sqlite(
    _VERSION_TABLE,
    f"INSERT INTO alembic_version VALUES ('{HEAD_REVISION}')",
    "CREATE TABLE work_item (id INTEGER PRIMARY KEY)",
)
_another_application_id = _sqlite("PRAGMA application_id = 1598903374")  # Fossil's


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"these are my notes, not a database\n" * 100)


FOREIGN: dict[str, Callable[[Path], None]] = {
    "another app's SQLite file": _other_app,
    "another app's SQLite file in WAL mode": _other_app_in_wal,
    "another Alembic app at revision 0001": _other_alembic_app,
    "an empty alembic_version table": _empty_alembic_version,
    "tpm's revision but not tpm's tables": _tpm_revision_without_tpm_tables,
    "another application id": _another_application_id,
    "not SQLite at all": _not_sqlite,
}


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_foreign_file_is_refused_byte_for_byte(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    path = folder / "app.db"
    make(path)
    before = _folder_state(folder)
    with pytest.raises(StorageError) as error:
        open_database(location_for(path))
    assert str(path) in str(error.value)
    assert _folder_state(folder) == before


def test_a_new_database_is_stamped_with_tpms_application_id(tmp_path: Path) -> None:
    path = tmp_path / "tpm.db"
    open_database(location_for(path)).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_an_earlier_tpms_database_is_accepted_and_stamped(tmp_path: Path) -> None:
    """Databases from before the application id: id 0, tpm's revision and tables."""
    path = tmp_path / "tpm.db"
    run_tpm("add", "story", "From an earlier tpm", db_path=path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    assert "From an earlier tpm" in run_tpm("list", db_path=path).stdout
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    conn.close()


def test_an_empty_file_is_made_a_tpm_database(tmp_path: Path) -> None:
    """An empty file (what `touch` makes) holds nothing to lose: tpm uses it."""
    path = tmp_path / "tpm.db"
    path.touch()
    assert run_tpm("log", "30m", "m", db_path=path).returncode == 0


MEMORY = [
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite+pysqlite:///:memory:",
    "SQLite:///:memory:",
    "sqlite:///file::memory:?cache=shared",
    "sqlite:///work.db?mode=memory",
    "sqlite:///file:work.db?mode=memory&uri=true",
    ":memory:",
    "file::memory:",
    "file::memory:?cache=shared",
    "file:work.db?mode=memory",
]


@pytest.mark.parametrize("value", MEMORY)
def test_in_memory_databases_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="in-memory"):
        resolve_location(value, {})
    with pytest.raises(ConfigError, match="in-memory"):
        resolve_location(None, {"TPM_DB": value})


@pytest.mark.parametrize("value", [":memory:", "sqlite:///:memory:", "file::memory:"])
@pytest.mark.parametrize("how", ["--db", "TPM_DB"])
def test_in_memory_databases_are_refused_by_the_cli_and_no_file_is_made(
    tmp_path: Path, value: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["--db", value, "log", "30m", "m"] if how == "--db" else ["log", "30m", "m"]
    env = {"TPM_DB": value} if how == "TPM_DB" else None
    result = run_tpm(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "in-memory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_plain_file_named_like_a_uri_is_still_a_file(tmp_path: Path) -> None:
    location = resolve_location(str(tmp_path / "file:notes.db"), {})
    assert location.path == tmp_path / "file:notes.db"
