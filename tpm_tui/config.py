"""Where the data lives: `--db` > TPM_DB > TPM_HOME > the platform's user data folder."""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

from tpm_tui import where
from tpm_tui.errors import InvalidInput
from tpm_tui.text import clean_line
from tpm_tui.where import DB_FILENAME as DB_FILENAME
from tpm_tui.where import choose

BACKUP_FOLDER = "backups"
READ_ONLY_ENV = "TPM_READ_ONLY"  # set by `tpm serve --read-only` for its app processes
# What most file systems allow: longer names fail in the kernel (ENAMETOOLONG).
NAME_MAX = 255
PATH_MAX = 4096
# `sqlite://`, `sqlite+pysqlite:///…`: any SQLite URL, whatever its driver.
_SQLITE_URL = re.compile(r"sqlite(\+\w+)?://(/?)(.*)", re.DOTALL | re.IGNORECASE)


class ConfigError(InvalidInput):
    """A location that cannot be used, said in one line."""


@dataclass(frozen=True)
class Location:
    """A database to open: its SQLAlchemy URL, and the file when it is a SQLite file."""

    url: str
    path: Path | None
    source: str

    @classmethod
    def for_file(cls, path: Path, source: str) -> Location:
        """The location of SQLite file `path`: its URL quotes the path, since SQLAlchemy
        decodes %XX in a URL's path and would otherwise open another file."""
        quoted = quote(str(path), safe="/", errors="surrogateescape")
        return cls(f"sqlite:///{quoted}", path, source)

    @property
    def label(self) -> str:
        """What to name in messages: the file, or the URL without its password (escape
        and control characters removed, so a hostile name cannot drive the terminal)."""
        if self.path is not None:
            return shown(self.path)
        return clean_line(redact_url(typed_url(self.url)))

    def redact(self, text: str) -> str:
        """`text` (an error message, a report) with this location's secrets replaced by
        `***`, in case a driver ever repeats them."""
        for secret in url_secrets(self.url):
            text = text.replace(secret, "***")
        return text

    @property
    def backup_dir(self) -> Path | None:
        """The folder for backups, beside the database file."""
        return self.path.parent / BACKUP_FOLDER if self.path is not None else None


# SQLAlchemy's own reading of a URL (sqlalchemy/engine/url.py, _parse_url), so the
# password hidden is the one SQLAlchemy would send, whatever characters it holds.
_URL = re.compile(
    r"(?P<name>[\w+]+)://"
    r"(?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?"
    r"(?P<hostpart>(?:\[[^/?]+\]|[^/:?]+)?(?::[^/?]*)?)?"
    r"(?:/(?P<database>[^?]*))?"
    r"(?:\?(?P<query>.*))?",
)
# Query keys libpq (and so psycopg) reads as secrets.
_SECRET_KEYS = frozenset({"password", "sslpassword"})
# What users write for PostgreSQL, and the driver tpm ships (psycopg 3, the `postgres`
# extra): SQLAlchemy's plain `postgresql://` has meant psycopg2, `postgres://` nothing.
_POSTGRES_SCHEMES = ("postgresql", "postgres")
POSTGRES_DRIVER = "postgresql+psycopg"


def server_url(url: str) -> str:
    """`postgresql://…` and `postgres://…` as the URL of tpm's driver
    (`postgresql+psycopg://…`); any other URL as it is."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in _POSTGRES_SCHEMES:
        return f"{POSTGRES_DRIVER}://{rest}"
    return url


def typed_url(url: str) -> str:
    """A URL as a person writes it: tpm's driver URL (`postgresql+psycopg://…`) as the
    libpq URL it came from (`postgresql://…`); any other URL as it is."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme == POSTGRES_DRIVER else url


def url_secrets(url: str) -> list[str]:
    """The secrets in a URL (its password, as written and decoded, and any password in
    its query), longest first."""
    match = _URL.match(url)
    if match is None:
        return []
    found = {match["password"] or "", unquote(match["password"] or "")}
    for part in (match["query"] or "").split("&"):
        key, _, value = part.partition("=")
        if unquote_plus(key).lower() in _SECRET_KEYS:
            found |= {value, unquote(value), unquote_plus(value)}
    return sorted((s for s in found if s), key=len, reverse=True)


def redact_url(url: str) -> str:
    """The URL with every password shown as `***` (a URL tpm cannot read is shown only
    by its scheme: what it holds is unknown)."""
    match = _URL.match(url)
    if match is None:
        scheme, sep, _ = url.partition("://")
        return f"{scheme}{sep}…" if sep else url
    shown_url = f"{match['name']}://"
    if match["username"] is not None:
        hidden = ":***" if match["password"] is not None else ""
        shown_url += f"{match['username']}{hidden}@"
    shown_url += match["hostpart"] or ""
    if match["database"] is not None:
        shown_url += f"/{match['database']}"
    if match["query"] is not None:
        parts = [
            f"{key}=***" if unquote_plus(key).lower() in _SECRET_KEYS else f"{key}{eq}{value}"
            for key, eq, value in (part.partition("=") for part in match["query"].split("&"))
        ]
        shown_url += "?" + "&".join(parts)
    return shown_url


def shown(path: Path | str) -> str:
    """A file name as messages show it: escape and control characters removed."""
    return clean_line(str(path))


def _in_memory(name: str, query: str) -> bool:
    """Whether SQLite would keep this database in memory (and lose it on exit)."""
    return (
        name in ("", ":memory:")
        or name.startswith("file::memory:")
        or (name.startswith("file:") and "mode=memory" in name)
        or "mode=memory" in query
    )


def check_name_length(path: Path, what: str) -> None:
    """Refuse a name the file system would refuse (ENAMETOOLONG), in one line, before
    anything touches it; `what` says where it came from (`--db`, the file named)."""
    if len(os.fsencode(str(path))) >= PATH_MAX:
        raise ConfigError(f"{what}: the path is too long (over {PATH_MAX} bytes)")
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise ConfigError(
                f"{what}: a name in the path is too long ({shown(part)[:40]}…, over "
                f"{NAME_MAX} bytes)"
            )


def _from_value(value: str, source: str) -> Location:
    refusal = (
        f"{source}: an in-memory SQLite database would lose everything when tpm exits; name a file"
    )
    url = _SQLITE_URL.fullmatch(value)
    if url is not None:
        encoded, _, query = url[3].partition("?")
        name = unquote(encoded)  # once, as SQLAlchemy's make_url decodes a URL's path
        if _in_memory(name, query):
            raise ConfigError(refusal)
        if name.startswith("file:") or "uri=" in query.lower():
            # SQLite would read the name as a URI of its own (another file, or memory)
            raise ConfigError(f"{source}: a SQLite URI filename is not supported; name a file")
        path = Path(name).expanduser().absolute()
    elif "://" in value:
        return Location(server_url(value), None, source)
    else:
        if _in_memory(value.partition("?")[0], value.partition("?")[2]):
            raise ConfigError(refusal)
        path = Path(value).expanduser().absolute()
    check_name_length(path, source)
    if path.is_dir():
        path = path / DB_FILENAME
    return Location.for_file(path, source)


def default_data_dir() -> Path:
    """The platform's user data folder for tpm (imports platformdirs only when needed)."""
    return Path(where.default_data_dir())


def resolve_location(db_option: str | None, env: Mapping[str, str] | None = None) -> Location:
    """Pick the database by precedence: --db, then TPM_DB, then TPM_HOME, then the default."""
    env = os.environ if env is None else env
    how, value, source = choose(db_option, env)
    if how == "value":
        return _from_value(value, source)
    folder = Path(value).expanduser().absolute() if how == "home" else default_data_dir()
    path = folder / DB_FILENAME
    check_name_length(path, source)
    return Location.for_file(path, source)


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


def write_private(
    path: Path,
    chunks: Iterable[bytes | memoryview],
    *,
    exclusive: bool = False,
    before_publish: Callable[[], None] | None = None,
) -> None:
    """Write a file 0600 so that nothing can be written through a planted link and a
    crash leaves the old file or the new one, never half of one.

    The bytes go to a new file under a random name in the target's folder (mkstemp:
    O_EXCL|O_NOFOLLOW, so a link or file planted there is never used), are fsynced, and
    the file is then renamed over `path`: a link at `path` is replaced by the file, not
    written through. With `exclusive`, an existing `path` is never replaced
    (FileExistsError)."""
    import tempfile

    folder = path.parent
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:100]}.", suffix=".tmp")
    tmp = Path(name)
    published = False
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fchmod(handle.fileno(), 0o600)
            os.fsync(handle.fileno())
            _check_same_file(handle.fileno(), tmp)
        if before_publish is not None:
            before_publish()
        if exclusive:
            _link_new(tmp, path)
        else:
            os.replace(tmp, path)
            published = True
        _sync_folder(folder)
    finally:
        if not published:  # after an exclusive link, or a failure: the name goes
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _check_same_file(fd: int, tmp: Path) -> None:
    """The temporary name still names the file written (nobody swapped it meanwhile)."""
    mine, named = os.fstat(fd), os.lstat(tmp)
    if (mine.st_dev, mine.st_ino) != (named.st_dev, named.st_ino):
        raise OSError(errno.EEXIST, "the temporary file was replaced while being written", tmp)


def _link_new(tmp: Path, path: Path) -> None:
    """Give the finished file its name only if nothing has that name (no clobbering)."""
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # a file system without hard links: check, then rename (a small window)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
        os.rename(tmp, path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_private_text(path: Path, text: str) -> None:
    """Write a text file 0600 atomically (see write_private)."""
    write_private(path, [text.encode("utf-8")])


def reports_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the week screen writes its reports: TPM_REPORTS, else Documents/tpm."""
    env = os.environ if env is None else env
    if env.get("TPM_REPORTS"):
        return Path(env["TPM_REPORTS"]).expanduser().absolute()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "tpm"
