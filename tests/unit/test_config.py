"""Where the data lives, and that it is private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tpm_tui.config import ConfigError, resolve_location
from tpm_tui.db import open_database


def test_precedence_db_option_then_tpm_db_then_tpm_home_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"TPM_DB": str(tmp_path / "env.db"), "TPM_HOME": str(tmp_path / "home")}
    assert resolve_location(str(tmp_path / "opt.db"), env).path == tmp_path / "opt.db"
    assert resolve_location(None, env).path == tmp_path / "env.db"
    assert (
        resolve_location(None, {"TPM_HOME": str(tmp_path / "home")}).path
        == tmp_path / "home" / "tpm.db"
    )
    monkeypatch.setattr("tpm_tui.config.default_data_dir", lambda: tmp_path / "platform")
    default = resolve_location(None, {})
    assert default.path == tmp_path / "platform" / "tpm.db"
    assert default.source == "default"


def test_urls_and_folders(tmp_path: Path) -> None:
    assert resolve_location(f"sqlite:///{tmp_path}/x.db", {}).path == tmp_path / "x.db"
    assert resolve_location(str(tmp_path), {}).path == tmp_path / "tpm.db"
    remote = resolve_location("postgresql://me:secret@db.example/tpm", {})
    assert remote.path is None
    assert "secret" not in remote.label
    with pytest.raises(ConfigError, match="in-memory"):
        resolve_location("sqlite://", {})


def test_default_platform_folder_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_location(None, {}).path == tmp_path / "xdg" / "tpm" / "tpm.db"


def test_new_folder_is_0700_and_files_0600(tmp_path: Path) -> None:
    location = resolve_location(None, {"TPM_HOME": str(tmp_path / "a" / "b")})
    db = open_database(location)
    with db.orm_write() as session:  # a write leaves -wal and -shm files beside the database
        session.connection().exec_driver_sql("UPDATE board_column SET name = name")
        for name in ("tpm.db", "tpm.db-wal", "tpm.db-shm"):
            mode = stat.S_IMODE((tmp_path / "a" / "b" / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
    db.close()
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
