"""Opening a workspace's database: telling tpm's own files from anything else, the
connections and transactions every service runs its statements in, and backups.

Nothing here imports SQLAlchemy: a local workspace at the current schema is served by
the standard library's sqlite3 alone (see tpm_tui/sql), and a team server at the
current schema by psycopg alone (tpm_tui/postgres.py). SQLAlchemy (tpm_tui/engine.py)
is loaded only to create or migrate a database, and for the few services that still
use its ORM (the JSON import and export)."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tpm_tui.config import (
    BACKUP_FOLDER,
    Location,
    create_private_file,
    make_private_dir,
    read_only_requested,
    shown,
    write_private,
)
from tpm_tui.errors import (
    DatabaseBusy,
    ReadOnlyWorkspace,
    ServerUnreachable,
    StorageError,
)

# The newest migration this code knows (a test keeps it equal to the scripts' head)
# and the id stamped into tpm's files live in schema.py, as plain constants.
from tpm_tui.schema import APPLICATION_ID as APPLICATION_ID
from tpm_tui.schema import HEAD_REVISION as HEAD_REVISION
from tpm_tui.sql import EXECUTOR_ENV
from tpm_tui.sql.executor import Executor, SqliteExecutor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from tpm_tui.postgres import Pool

BUSY_TIMEOUT_MS = 10_000
BACKUPS_KEPT = 5
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The tables every tpm schema has had since the first revision: a database from before
# the application id is tpm's only if it has them and one of tpm's revisions.
TPM_TABLES = frozenset({"board_column", "goal", "sprint", "milestone", "work_item", "time_entry"})
_SQLITE_MAGIC = b"SQLite format 3\x00"


def known_revisions() -> set[str]:
    """Every schema revision this code ships (read from the migration file names, so
    no Alembic import)."""
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")}


def connect_file(file: Path) -> sqlite3.Connection:
    """A standard-library connection to a tpm SQLite file, set up as every tpm
    connection is: autocommit at the driver (tpm writes BEGIN itself), a busy timeout,
    foreign keys on, synchronous NORMAL (safe with WAL)."""
    conn = sqlite3.connect(
        file, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class _Shared:
    """What copies of one Database share: its stdlib connections (per thread, a new
    one when the thread's are all inside a transaction), a server's pool of psycopg
    connections, and its SQLAlchemy engine (each made on first need)."""

    def __init__(self, file: Path | None, url: str = "") -> None:
        self.file = file
        self.url = url
        self.engine: Engine | None = None
        self._pool: Pool | None = None
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.busy: dict[int, int] = {}  # id(connection) -> its busy timeout now

    def connection(self) -> sqlite3.Connection:
        """A connection of this thread's that is not inside a transaction."""
        mine: list[sqlite3.Connection] = self._local.__dict__.setdefault("connections", [])
        for conn in mine:
            if not conn.in_transaction:
                return conn
        assert self.file is not None
        conn = connect_file(self.file)
        mine.append(conn)
        with self._lock:
            self._all.append(conn)
        return conn

    @property
    def pool(self) -> Pool:
        """A server's connections (made on first need)."""
        with self._lock:
            if self._pool is None:
                from tpm_tui.postgres import Pool

                self._pool = Pool(self.url)
            return self._pool

    def close(self) -> None:
        """Close every connection (from any thread) and dispose of the engine."""
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()
        if self._pool is not None:
            self._pool.close()
        if self.engine is not None:
            self.engine.dispose()


class Database:
    """One workspace's database. `read()` and `write()` hand a service an Executor
    inside one transaction: a deferred one for reads (a consistent snapshot), and for
    writes one that takes the write lock at once (`BEGIN IMMEDIATE`), so two processes
    wait for each other instead of losing updates. Every failure inside either becomes
    a StorageError naming the file (DatabaseBusy when another program held the lock
    too long)."""

    def __init__(
        self,
        location: Location,
        file: Path | None = None,
        *,
        busy_ms: int | None = None,
        alchemy: bool | None = None,
        shared: _Shared | None = None,
    ) -> None:
        self.location = location
        # The file SQLite opens: location.path, or the file a link there points to.
        self.file = file if file is not None else location.path
        self.is_sqlite = location.path is not None
        self.busy_ms = busy_ms
        self.read_only = read_only_requested()
        if alchemy is None:
            alchemy = os.environ.get(EXECUTOR_ENV, "").lower() == "sqlalchemy"
        self.uses_alchemy = alchemy
        self._shared = shared if shared is not None else _Shared(self.file, location.url)
        self.me = current_user()
        # Whose hours the statements see: a SQLite file is one person's workspace (its
        # entries carry no name); a team database keeps each person's apart.
        self.person = "" if self.is_sqlite else self.me

    @property
    def own_pids(self) -> set[int]:
        """A server's process ids of this process's connections to it (which grows as
        connections are made): the notifications of its own writes carry them."""
        return self._shared.pool.pids

    @property
    def context(self) -> dict[str, str | None]:
        """What every statement asking for it gets (see Executor.context)."""
        # `person` names the entries written; `whose` picks the entries read (null:
        # all of them — a SQLite workspace is one person's whatever names they carry).
        return {"person": self.person, "whose": None if self.is_sqlite else self.person}

    def impatient(self, busy_ms: int) -> Database:
        """The same database, whose writes give up after `busy_ms` when another program
        holds the write lock (raising DatabaseBusy, nothing written): the TUI writes
        with it so that a busy database never freezes the screen."""
        return Database(
            self.location,
            self.file,
            busy_ms=busy_ms,
            alchemy=self.uses_alchemy,
            shared=self._shared,
        )

    # ------------------------------------------------------------ transactions

    @contextmanager
    def read(self) -> Iterator[Executor]:
        """An executor inside a read transaction."""
        with self._storage_errors():
            other = self._not_stdlib(write=False, busy_ms=BUSY_TIMEOUT_MS)
            if other is not None:
                with other as executor:
                    yield executor
                return
            conn = self._shared.connection()
            self._wait(conn, BUSY_TIMEOUT_MS)
            conn.execute("BEGIN")
            try:
                yield SqliteExecutor(conn, self.context)
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")  # a read changes nothing: ending it is enough

    @contextmanager
    def write(self) -> Iterator[Executor]:
        """An executor inside a write transaction, committed when the block ends
        without an error and rolled back otherwise. A read-only workspace refuses
        before anything is written."""
        if self.read_only:
            raise ReadOnlyWorkspace(
                f"{self.location.label}: read-only here (tpm serve --read-only, or "
                "TPM_READ_ONLY=1): nothing was changed"
            )
        with self._storage_errors():
            busy_ms = self.busy_ms if self.busy_ms is not None else BUSY_TIMEOUT_MS
            other = self._not_stdlib(write=True, busy_ms=busy_ms)
            if other is not None:
                with other as executor:
                    yield executor
                return
            conn = self._shared.connection()
            self._wait(conn, busy_ms)
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteExecutor(conn, self.context)
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _not_stdlib(
        self, *, write: bool, busy_ms: int
    ) -> contextlib.AbstractContextManager[Executor] | None:
        """The transaction when it is not the stdlib sqlite3 one: SQLAlchemy's (when asked
        for), or a server's on psycopg alone."""
        if self.uses_alchemy:
            from tpm_tui.engine import alchemy_transaction

            return alchemy_transaction(self, write=write)
        if not self.is_sqlite:
            from tpm_tui.postgres import transaction

            return transaction(self._shared.pool, self.context, write=write, busy_ms=busy_ms)
        return None

    def _wait(self, conn: sqlite3.Connection, busy_ms: int) -> None:
        """Give this transaction the busy timeout its caller asked for (connections
        are shared by patient and impatient callers)."""
        if self._shared.busy.get(id(conn), BUSY_TIMEOUT_MS) != busy_ms:
            conn.execute(f"PRAGMA busy_timeout={busy_ms}")
            self._shared.busy[id(conn)] = busy_ms

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """The one place database failures are translated: every caller (CLI, screens)
        sees a StorageError with the file's name and what to do."""
        try:
            yield
        except Exception as exc:
            if not (isinstance(exc, sqlite3.Error) or _is_alchemy_error(exc) or _server(exc)):
                raise
            error = _error_class(exc)
            message = self.location.redact(f"{self.location.label}: {explain(exc)}")
            raise error(message) from exc

    # ------------------------------------------------------------ SQLAlchemy, on demand

    @property
    def engine(self) -> Engine:
        """A SQLAlchemy engine on the same database (made on first use: it imports
        SQLAlchemy, which the stdlib path never needs)."""
        if self._shared.engine is None:
            from tpm_tui.engine import make_engine

            url = self.location.url
            if self.file is not None:
                url = Location.for_file(self.file, self.location.source).url
            try:
                self._shared.engine = make_engine(url, self._shared.pool.pids)
            except Exception as exc:  # bad URL, missing driver
                raise StorageError(
                    f"{self.location.label}: cannot open ({_describe(exc)})"
                ) from exc
        return self._shared.engine

    @property
    def write_engine(self) -> Engine:
        """The engine, for write transactions (BEGIN IMMEDIATE, this copy's busy wait)."""
        from tpm_tui.engine import write_options

        return self.engine.execution_options(**write_options(self.busy_ms))

    @contextmanager
    def orm_read(self) -> Iterator[Session]:
        """A SQLAlchemy ORM session for reading (the JSON export)."""
        from tpm_tui.engine import orm_session

        with self._storage_errors(), orm_session(self, write=False) as session:
            yield session

    @contextmanager
    def orm_write(self) -> Iterator[Session]:
        """A SQLAlchemy ORM session in a write transaction (the JSON import)."""
        if self.read_only:
            with self.write():  # raises ReadOnlyWorkspace
                pass
        from tpm_tui.engine import orm_session

        with self._storage_errors(), orm_session(self, write=True) as session:
            yield session

    # ------------------------------------------------------------ maintenance

    def raw_connection(self) -> sqlite3.Connection:
        """A fresh stdlib connection of its own (restore, backups); the caller closes it."""
        if self.file is None:
            raise StorageError(f"{self.location.label}: only SQLite files have one")
        try:
            return connect_file(self.file)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location.label}: {explain(exc)}") from exc

    def data_version(self) -> int:
        """A number that changes when another connection commits (cheap change polling)."""
        if not self.is_sqlite:
            return 0
        with self._storage_errors():
            return int(self._shared.connection().execute("PRAGMA data_version").fetchone()[0])

    def backup(
        self,
        reason: str = "manual",
        folder: Path | None = None,
        *,
        connection: sqlite3.Connection | None = None,
    ) -> Path:
        """Write a consistent copy, 0600, into the backups folder and return its path.

        With `connection` (one holding the write lock), the copy is what that
        connection sees, so nothing can be written between the copy and what the
        caller does next under the same lock. Automatic backups (reason `before-…`)
        keep the newest few of this database's own; ones a person asked for are never
        deleted."""
        if not self.is_sqlite or self.location.path is None:
            raise StorageError(f"{self.location.label}: backups are made only of SQLite files")
        target_dir = folder or self.location.backup_dir
        assert target_dir is not None
        try:
            if connection is not None:
                image = snapshot(connection)
            else:
                own = self.raw_connection()
                try:
                    image = _read_snapshot(own)
                finally:
                    own.close()
            made = write_backup(self.location.path, target_dir, reason, image)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location.label}: backup failed ({explain(exc)})") from exc
        except OSError as exc:
            raise StorageError(
                f"{shown(target_dir)}: cannot write the backup ({exc.strerror or exc})"
            ) from exc
        if folder is None and reason.startswith("before-"):
            _prune_backups(self.location.path, keep=made)
        return made

    def close(self) -> None:
        """Release the connections."""
        self._shared.close()


def current_user(environ: dict[str, str] | None = None) -> str:
    """Who is at the keyboard: TPM_USER, else the system login (cleaned, at most 60)."""
    from tpm_tui.text import clean_line

    env = os.environ if environ is None else environ
    name = env.get("TPM_USER", "").strip()
    if not name:
        import getpass

        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container without a passwd entry)
            name = ""
    return clean_line(name)[:60]


def _is_alchemy_error(exc: BaseException) -> bool:
    """Whether `exc` is a SQLAlchemy error, without importing SQLAlchemy to find out."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


# ---------------------------------------------------------------- backups


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _backup_pattern(database: Path) -> re.Pattern[str]:
    """The names of one database's backups, exactly: its full file name, a UTC stamp,
    an optional counter (two in the same microsecond), the reason."""
    return re.compile(
        re.escape(database.name) + r"-(\d{8}T\d{12}Z)(?:-(\d+))?-([a-z][a-z0-9-]*)\.db"
    )


def backups_of(database: Path) -> list[Path]:
    """This database's backups (by their exact names), newest first by their stamps."""
    folder = database.parent / BACKUP_FOLDER
    pattern = _backup_pattern(database)
    found: list[tuple[str, int, Path]] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = pattern.fullmatch(entry.name)
            if match is not None:
                found.append((match[1], int(match[2] or 0), Path(entry.path)))
    return [path for *_key, path in sorted(found, reverse=True)]


def write_backup(database: Path, folder: Path, reason: str, chunks: Any) -> Path:
    """Write a backup of `database` (its bytes in `chunks`) into `folder` under a new
    name, never replacing a file; returns the name it got."""
    make_private_dir(folder)
    chunks = list(chunks)
    stamp = _stamp()
    for counter in range(1000):
        extra = f"-{counter}" if counter else ""
        target = folder / f"{database.name}-{stamp}{extra}-{reason}.db"
        try:
            write_private(target, chunks, exclusive=True)
        except FileExistsError:
            continue
        return target
    raise OSError(f"no free backup name in {folder}")


def _prune_backups(database: Path, keep: Path) -> None:
    """Keep the newest BACKUPS_KEPT automatic backups of this database, the one just
    written always among them (even if the clock once ran ahead)."""
    automatic = [p for p in backups_of(database) if "-before-" in p.name and p != keep]
    for old in automatic[BACKUPS_KEPT - 1 :]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()


def snapshot(conn: sqlite3.Connection) -> list[bytes | memoryview]:
    """The database as `conn` sees it (inside its transaction, if one is open), as
    the bytes of a file in rollback-journal mode, so the copy opens on its own."""
    image = memoryview(conn.serialize())
    if len(image) < 100:
        return [image]
    # Bytes 18-19 of the header say WAL (2) or rollback journal (1).
    return [image[:18], b"\x01\x01", image[20:]]


def _read_snapshot(conn: sqlite3.Connection) -> list[bytes | memoryview]:
    conn.execute("BEGIN")
    try:
        return snapshot(conn)
    finally:
        conn.execute("ROLLBACK")


# ---------------------------------------------------------------- identity


@dataclass(frozen=True)
class Identity:
    """What a file is to tpm: `tpm` (stamped or from an earlier tpm), `empty` (nothing
    to lose: tpm may make it its own), `foreign`, or `unreadable`; with the schema
    revision and why it is refused."""

    kind: str
    revision: str | None = None
    stamped: bool = False
    reason: str = ""


def refuse_special(path: Path) -> None:
    """StorageError `PATH: not a file` when something that is not a regular file (a
    FIFO, a device, a folder) is at `path`: opening a FIFO blocks until a writer comes,
    so nothing may open one. A missing path is left to the caller."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:  # a loop of links, a NUL in the name
        raise StorageError(f"{shown(path)}: cannot open it ({exc})") from None
    if not stat.S_ISREG(mode):
        raise StorageError(f"{shown(path)}: not a file")


def read_header(path: Path) -> bytes:
    """The first 100 bytes of a file (SQLite's header), or fewer for a short file.

    Only for a file this process has no SQLite connection to: closing any descriptor
    of a database file drops every POSIX lock the process holds on it, which lets
    another process delete a -wal file still in use here (lost writes)."""
    refuse_special(path)
    with open(path, "rb") as handle:
        return handle.read(100)


def header_application_id(header: bytes) -> int | None:
    """The application id in a SQLite header, or None if it is not a SQLite header."""
    if len(header) < 72 or not header.startswith(_SQLITE_MAGIC):
        return None
    return int.from_bytes(header[68:72], "big")


def open_readonly(path: Path, *, immutable: bool | None = None) -> sqlite3.Connection:
    """A connection that can change nothing: read-only, and `immutable` when no -wal
    exists (by default), so not even -wal or -shm files are made beside someone else's
    database. SQLite opens the file itself, so other connections' locks are safe."""
    if immutable is None:
        immutable = not os.path.exists(f"{path}-wal")
    uri = f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def identify(conn: sqlite3.Connection) -> Identity:
    """Tell tpm's database from anything else, reading only."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    tables = {name for kind, name in objects if kind == "table"}
    revision = None
    if "alembic_version" in tables:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        revision = str(rows[0][0]) if len(rows) == 1 else None
    if app_id == APPLICATION_ID:
        return Identity("tpm", revision, stamped=True)
    if app_id != 0:
        reason = f"belongs to another program (application id {app_id:#x})"
        return Identity("foreign", reason=reason)
    if not objects:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) != 0:
            return Identity("foreign", reason="is another program's (it has a user_version)")
        return Identity("empty")
    if revision in known_revisions() and tables >= TPM_TABLES:
        return Identity("tpm", revision)
    return Identity("foreign", reason="holds other tables and is not a tpm database")


def identify_file(path: Path) -> Identity:
    """What the file at `path` is, without changing it (nor making -wal/-shm files)."""
    refuse_special(path)
    try:
        if os.stat(path).st_size == 0:
            return Identity("empty")
    except FileNotFoundError:
        return Identity("empty")
    error: sqlite3.Error | None = None
    # An immutable read takes no lock; should a writer have changed the file under it,
    # read again the ordinary way (read-only, locking).
    for immutable in (None, False):
        try:
            conn = open_readonly(path, immutable=immutable)
            try:
                return identify(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            error = exc
    assert error is not None
    return Identity("unreadable", reason=explain(error))


def _is_busy(exc: BaseException) -> bool:
    """Whether a failure is SQLite's "database is locked" (busy), not a real fault."""
    orig = getattr(exc, "orig", None) or exc
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "locked" in str(orig).lower()
    )


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0].strip() if text else type(orig).__name__


# ---------------------------------------------------------------- server failures

# SQLSTATEs of a server's refusals (PostgreSQL's errcodes), by what the user can do.
_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})  # lock timeout, serialization, deadlock
_GONE_STATES = frozenset({"57P01", "57P02", "57P03"})  # shut down, crashed, starting up
_DENIED = "42501"  # insufficient privilege
_UNIQUE = "23505"
ONE_RUNNING_INDEX = "ux_time_entry_one_running"
_LOGIN_WORDS = ("password", "authentication", "role", "pg_hba", "permission denied for database")


def _server(exc: BaseException) -> Any:
    """The driver's (psycopg's) error behind `exc`, or None for anything else."""
    orig = getattr(exc, "orig", None) or exc
    return orig if type(orig).__module__.startswith("psycopg") else None


def _sqlstate(exc: BaseException) -> str:
    error = _server(exc)
    return str(getattr(error, "sqlstate", None) or "")


def _constraint(exc: BaseException) -> str:
    diag = getattr(_server(exc), "diag", None)
    return str(getattr(diag, "constraint_name", None) or "")


def _no_connection(exc: BaseException) -> bool:
    """A server that cannot be reached (as opposed to one that answered with a refusal):
    psycopg's OperationalError before any answer, a connection class (08) SQLSTATE, or
    the server shutting down or starting."""
    error = _server(exc)
    if error is None:
        return False
    state = _sqlstate(exc)
    if state.startswith("08") or state in _GONE_STATES:
        return True
    kind = type(error).__name__
    text = str(error).lower()
    if kind == "InterfaceError" or (kind == "OperationalError" and not state):
        return not any(word in text for word in _LOGIN_WORDS) and "does not exist" not in text
    return False


def _error_class(exc: BaseException) -> type[StorageError]:
    """Which StorageError a failure is: busy (try again), unreachable (try again when
    the server is back), read-only (this role may not write), or plain."""
    if _is_busy(exc) or _sqlstate(exc) in _BUSY_STATES:
        return DatabaseBusy
    if _no_connection(exc):
        return ServerUnreachable
    if _sqlstate(exc) == _DENIED:
        return ReadOnlyWorkspace
    return StorageError


def _explain_server(exc: BaseException, text: str) -> str | None:
    """A server failure in words a person can act on, or None for the general reading."""
    state = _sqlstate(exc)
    lowered = text.lower()
    if state == "55P03":
        return f"another program held the lock too long ({text}); nothing was written, try again"
    if state in ("40001", "40P01"):
        return f"this write crossed another one ({text}); nothing was written, try again"
    if state == _DENIED:
        return (
            f"read-only: this role may not change the team's data ({text}); nothing was"
            " changed (ask the database's owner for write rights)"
        )
    if state == _UNIQUE and _constraint(exc) == ONE_RUNNING_INDEX:
        return (
            "a timer of yours was started at the same moment elsewhere and is the one"
            " running (see tpm status); nothing was changed"
        )
    if _no_connection(exc):
        return f"cannot reach the server ({text}); check that it is running, then try again"
    if _server(exc) is not None and any(word in lowered for word in _LOGIN_WORDS[:3]):
        return (
            f"the server refused the login ({text}); check the user and its password"
            " (~/.pgpass, PGPASSFILE or PGPASSWORD)"
        )
    if _server(exc) is not None and "does not exist" in lowered and "database" in lowered:
        return f"{text}; create it first (createdb), or check the name"
    return None


def _database_file(path: Path, create: bool) -> Path:
    """The file SQLite should open for `path`: itself, or what a link there points to.
    A missing file (also the target of a dangling link) is created 0600 in a 0700
    folder, so its -wal and -shm files are private too."""
    try:
        real = path.resolve() if path.is_symlink() else path
        if real.exists():
            if not real.is_file():  # a FIFO, a device, a folder (as refuse_special)
                raise StorageError(f"{shown(path)}: not a file")
            return real
        if not create:
            raise StorageError(f"{shown(path)}: no tpm database here")
        make_private_dir(real.parent)
        create_private_file(real)
        return real
    except RuntimeError as exc:  # a loop of links
        raise StorageError(f"{shown(path)}: cannot open the database ({exc})") from exc
    except OSError as exc:
        raise StorageError(
            f"{shown(path)}: cannot create the database ({exc.strerror or exc})"
        ) from exc


def open_database(location: Location, *, create: bool = True) -> Database:
    """Open (creating and migrating as needed) the database at `location`.

    Raises StorageError with the file named for anything that stops it being used;
    a file that is not tpm's is left exactly as it was. A tpm file at the current
    schema is opened with the standard library alone."""
    if location.path is None:
        db = Database(location)
        _guarded(db, _ensure_server_schema)
        return db
    file = _database_file(location.path, create)
    db = Database(location, file)
    identity = identify_file(file)  # read-only: a refused file stays as it was
    if identity.kind in ("foreign", "unreadable"):
        raise StorageError(f"{location.label}: {identity.reason}")
    if identity.stamped and identity.revision == HEAD_REVISION:
        # The hot path: tpm's, current. WAL, once (it is a setting of the file).
        _guarded(db, _ensure_wal)
        return db
    from tpm_tui.engine import upgrade

    _guarded(db, upgrade)
    return db


def _guarded(db: Database, step: Any) -> None:
    """Run an opening step; on any failure close the database and say why in one line."""
    try:
        with db._storage_errors():
            step(db)
    except BaseException:
        db.close()
        raise


# The server database's own tables (read on every start, with the revision: a current
# schema never loads SQLAlchemy).
_SERVER_TABLES = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"


def _ensure_server_schema(db: Database) -> None:
    """A server database at the current schema is opened as it is; anything else
    (new, older, newer, not tpm's) is left to the migration code, under its lock."""
    with db.read() as ex:
        tables = {str(row[0]) for row in ex.driver_rows(_SERVER_TABLES)}
        revisions = []
        if "alembic_version" in tables:
            found = ex.driver_rows("SELECT version_num FROM alembic_version")
            revisions = [row[0] for row in found]
    if revisions == [HEAD_REVISION] and tables >= TPM_TABLES:
        return
    from tpm_tui.engine import ensure_server_schema

    ensure_server_schema(db)


def _ensure_wal(db: Database) -> None:
    conn = db._shared.connection()
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        # A read-only file keeps its mode; its writes will say why they fail.
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA journal_mode=WAL")


def explain(exc: BaseException) -> str:
    """A short, actionable reading of a database failure."""
    text = _describe(exc)
    lowered = text.lower()
    server = _explain_server(exc, text)
    if server is not None:
        return server
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"not a usable tpm database ({text}); restore a backup or pass another --db"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database is read-only ({text}); check the file's and folder's permissions"
    if "locked" in lowered:
        return f"the database stayed locked by another program ({text}); try again"
    if "disk is full" in lowered or "disk i/o" in lowered:
        return f"the disk refused the write ({text}); free some space and try again"
    if "unable to open" in lowered:
        return f"cannot open the database ({text}); check the folder exists and is writable"
    return text


class ChangeWatcher:
    """Tells cheaply whether the database changed since the last look, using SQLite's
    `PRAGMA data_version` on one dedicated connection (its value moves when any other
    connection commits)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._last = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether anything was committed since the previous call."""
        current = self._version()
        changed, self._last = current != self._last, current
        return changed

    def close(self) -> None:
        """Close the dedicated connection."""
        self._conn.close()
