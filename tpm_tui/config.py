"""Where the data lives: `--db` > TPM_DB > TPM_HOME > the platform's user data folder."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tpm_tui.errors import InvalidInput

DB_FILENAME = "tpm.db"
BACKUP_FOLDER = "backups"
READ_ONLY_ENV = "TPM_READ_ONLY"  # set by `tpm serve --read-only` for its app processes


class ConfigError(InvalidInput):
    """A location that cannot be used, said in one line."""


@dataclass(frozen=True)
class Location:
    """A database to open: its SQLAlchemy URL, and the file when it is a SQLite file."""

    url: str
    path: Path | None
    source: str

    @property
    def label(self) -> str:
        """What to name in messages: the file, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        return _hide_password(self.url)

    @property
    def backup_dir(self) -> Path | None:
        """The folder for backups, beside the database file."""
        return self.path.parent / BACKUP_FOLDER if self.path is not None else None


def _hide_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{rest.split('@', 1)[1]}"
    return url


def _from_value(value: str, source: str) -> Location:
    if "://" in value:
        if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
            path = Path(value[len("sqlite:///") :].split("?", 1)[0]).expanduser()
            return Location(f"sqlite:///{path}", path, source)
        if value.startswith("sqlite:"):
            raise ConfigError(
                f"{source}: an in-memory SQLite URL would lose everything; name a file"
            )
        return Location(value, None, source)
    path = Path(value).expanduser()
    if path.is_dir():
        path = path / DB_FILENAME
    return Location(f"sqlite:///{path.absolute()}", path.absolute(), source)


def default_data_dir() -> Path:
    """The platform's user data folder for tpm (imports platformdirs only when needed)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("tpm", appauthor=False))


def resolve_location(db_option: str | None, env: Mapping[str, str] | None = None) -> Location:
    """Pick the database by precedence: --db, then TPM_DB, then TPM_HOME, then the default."""
    env = os.environ if env is None else env
    if db_option:
        return _from_value(db_option, "--db")
    if env.get("TPM_DB"):
        return _from_value(env["TPM_DB"], "TPM_DB")
    if env.get("TPM_HOME"):
        home = Path(env["TPM_HOME"]).expanduser().absolute()
        return Location(f"sqlite:///{home / DB_FILENAME}", home / DB_FILENAME, "TPM_HOME")
    path = default_data_dir() / DB_FILENAME
    return Location(f"sqlite:///{path}", path, "default")


def read_only_requested(env: Mapping[str, str] | None = None) -> bool:
    """Whether TPM_READ_ONLY asks that nothing be written (`tpm serve --read-only`)."""
    value = (os.environ if env is None else env).get(READ_ONLY_ENV, "")
    return value.strip().lower() not in ("", "0", "no", "false")


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and missing parents) as 0700; an existing folder is left as it is."""
    if folder.is_dir():
        return
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        os.mkdir(part, 0o700)
        os.chmod(part, 0o700)  # mkdir's mode is filtered by the umask


def create_private_file(path: Path) -> bool:
    """Create an empty file 0600 if it does not exist (so SQLite's -wal and -shm files
    are 0600 too). Returns whether it was created."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    os.chmod(path, 0o600)
    return True


def write_private_text(path: Path, text: str) -> None:
    """Write a file 0600 atomically: a crash leaves the old file or the new one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def reports_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the week screen writes its reports: TPM_REPORTS, else Documents/tpm."""
    env = os.environ if env is None else env
    if env.get("TPM_REPORTS"):
        return Path(env["TPM_REPORTS"]).expanduser().absolute()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "tpm"
