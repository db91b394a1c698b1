"""SQLite URLs are decoded once, as SQLAlchemy decodes them: the file tpm checks, locks
and backs up is the file SQLAlchemy opens, and a URL that decodes to an in-memory or
URI database is refused like `sqlite:///:memory:`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import NOW
from tpm_tui.cli import cli
from tpm_tui.config import ConfigError, resolve_location

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _tpm(folder: Path, *args: str) -> tuple[int, str]:
    """`tpm ARGS` run with `folder` as the working folder."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(
            cli, list(args), env={"TPM_HOME": "", "TPM_DB": "", "TPM_NOW": NOW.isoformat()}
        )
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///%3Amemory%3A",
        "sqlite:///%3amemory%3a",
        "sqlite:///file:%3Amemory%3A?uri=true",
        "sqlite:///file%3A%3Amemory%3A",
        "sqlite:///file:x.db?uri=true",
        "sqlite:///x.db?uri=true",
    ],
)
def test_encoded_memory_and_uri_forms_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError):
        resolve_location(url, {})
    code, stderr = _tpm(tmp_path, "--db", url, "add", "story", "x")
    assert code == 2 and stderr.count("\n") == 1 and stderr.startswith("tpm: "), stderr
    assert list(tmp_path.iterdir()) == []  # no file of any name was made


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("sqlite:///a%2520b.db", "a%20b.db"),  # decoded once: %25 is %, and no more
        ("sqlite:///a%20b.db", "a b.db"),
        ("a%20b.db", "a%20b.db"),  # a plain path is never decoded
        ("c?d#e.db", "c?d#e.db"),
    ],
)
def test_the_file_checked_is_the_file_opened(tmp_path: Path, value: str, name: str) -> None:
    location = resolve_location(value, {})
    assert location.path is not None and location.path.name == name
    code, stderr = _tpm(tmp_path, "--db", value, "add", "story", "x")
    assert code == 0, stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        name
    ]
    code, stderr = _tpm(tmp_path, "--db", str(tmp_path / name), "list")
    assert code == 0, stderr
