"""Opening the database: engine and pragmas, write transactions, identifying tpm's own
files, migrations and backups."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from tpm_tui.config import (
    BACKUP_FOLDER,
    Location,
    create_private_file,
    make_private_dir,
    read_only_requested,
    shown,
    write_private,
)
from tpm_tui.errors import DatabaseBusy, ReadOnlyWorkspace, StorageError

# The newest migration this code knows. A test keeps it equal to the scripts' head,
# so opening a current database never needs to import Alembic (about 0.5 s).
HEAD_REVISION = "0003"
BUSY_TIMEOUT_MS = 10_000
BACKUPS_KEPT = 5
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Stamped into every database tpm creates (PRAGMA application_id, "TPM1"), so tpm can
# tell its own files from another program's before it changes anything.
APPLICATION_ID = 0x54504D31
# The tables every tpm schema has had since the first revision: a database from before
# the application id is tpm's only if it has them and one of tpm's revisions.
TPM_TABLES = frozenset({"board_column", "goal", "sprint", "milestone", "work_item", "time_entry"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WRITE = "tpm_write"
_BUSY_MS = "tpm_busy_ms"


def known_revisions() -> set[str]:
    """Every schema revision this code ships (read from the migration file names, so
    no Alembic import)."""
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")}


class Database:
    """One workspace's database: short sessions for reads, BEGIN IMMEDIATE for writes."""

    def __init__(
        self,
        location: Location,
        engine: Engine,
        file: Path | None = None,
        busy_ms: int | None = None,
    ) -> None:
        self.location = location
        self.engine = engine
        self.busy_ms = busy_ms
        options: dict[str, Any] = {_WRITE: True}
        if busy_ms is not None:
            options[_BUSY_MS] = busy_ms
        self.write_engine = engine.execution_options(**options)
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.read_only = read_only_requested()
        # The file SQLite opens: location.path, or the file a link there points to.
        self.file = file if file is not None else location.path

    def impatient(self, busy_ms: int) -> Database:
        """The same database, whose writes give up after `busy_ms` when another program
        holds the write lock (raising DatabaseBusy, nothing written): the TUI writes
        with it so that a busy database never freezes the screen."""
        return Database(self.location, self.engine, self.file, busy_ms)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (a deferred transaction: a consistent snapshot).
        A database failure inside it becomes a StorageError naming the file."""
        with self._storage_errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction takes the write lock at once and commits on exit,
        so two processes writing wait for each other instead of losing updates.
        A database failure inside it becomes a StorageError naming the file; a read-only
        workspace refuses it before anything is written."""
        if self.read_only:
            raise ReadOnlyWorkspace(
                f"{self.location.label}: read-only here (tpm serve --read-only, or "
                "TPM_READ_ONLY=1): nothing was changed"
            )
        with self._storage_errors(), Session(self.write_engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """The one place database failures are translated: every caller (CLI, screens)
        sees a StorageError with the file's name and what to do."""
        try:
            yield
        except (sa.exc.SQLAlchemyError, sqlite3.Error) as exc:
            error = DatabaseBusy if _is_busy(exc) else StorageError
            raise error(f"{self.location.label}: {explain(exc)}") from exc

    def data_version(self) -> int:
        """A number that changes when another connection commits (cheap change polling)."""
        if not self.is_sqlite:
            return 0
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())

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
                raw = self.engine.raw_connection()
                try:
                    image = _read_snapshot(raw.driver_connection)  # type: ignore[arg-type]
                finally:
                    raw.close()
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
        self.engine.dispose()


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


def read_header(path: Path) -> bytes:
    """The first 100 bytes of a file (SQLite's header), or fewer for a short file.

    Only for a file this process has no SQLite connection to: closing any descriptor
    of a database file drops every POSIX lock the process holds on it, which lets
    another process delete a -wal file still in use here (lost writes)."""
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


# ---------------------------------------------------------------- engine


def _is_busy(exc: BaseException) -> bool:
    """Whether a failure is SQLite's "database is locked" (busy), not a real fault."""
    orig = getattr(exc, "orig", None) or exc
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "locked" in str(orig).lower()
    )


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Autocommit at the driver level: the "begin" listener below emits BEGIN itself,
        # so reads get a real snapshot and writes take the lock up front. Only
        # per-connection settings here: the journal mode is a change to the file, made
        # once it is known to be tpm's (open_database).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        immediate = options.get(_WRITE, False)
        # Pooled connections are shared by patient and impatient callers: each
        # transaction waits as long as its caller asked.
        busy = int(options.get(_BUSY_MS, BUSY_TIMEOUT_MS))
        info = conn.connection.info
        if info.get(_BUSY_MS, BUSY_TIMEOUT_MS) != busy:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
            info[_BUSY_MS] = busy
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__


def _database_file(path: Path, create: bool) -> Path:
    """The file SQLite should open for `path`: itself, or what a link there points to.
    A missing file (also the target of a dangling link) is created 0600 in a 0700
    folder, so its -wal and -shm files are private too."""
    try:
        real = path.resolve() if path.is_symlink() else path
        if real.exists():
            if not real.is_file():
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
    a file that is not tpm's is left exactly as it was."""
    url, file = location.url, None
    if location.path is not None:
        file = _database_file(location.path, create)
        url = f"sqlite:///{file}"
    try:
        engine = _make_engine(url)
    except Exception as exc:  # bad URL, missing driver
        raise StorageError(f"{location.label}: cannot open ({_describe(exc)})") from exc
    db = Database(location, engine, file)
    try:
        _ensure_schema(db)
    except StorageError:
        db.close()
        raise
    except (sa.exc.SQLAlchemyError, sqlite3.Error) as exc:
        db.close()
        raise StorageError(f"{location.label}: {explain(exc)}") from exc
    return db


def explain(exc: BaseException) -> str:
    """A short, actionable reading of a database failure."""
    text = _describe(exc)
    lowered = text.lower()
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


def _ensure_schema(db: Database) -> None:
    """Make sure the database is tpm's and at head; change nothing in anything else."""
    if not db.is_sqlite:
        _ensure_server_schema(db)
        return
    assert db.file is not None
    identity = identify_file(db.file)  # read-only: a refused file stays as it was
    if identity.kind in ("foreign", "unreadable"):
        raise StorageError(f"{db.location.label}: {identity.reason}")
    if identity.stamped and identity.revision == HEAD_REVISION:
        # The hot path: tpm's, current. WAL, once (it is a setting of the file).
        raw = db.engine.raw_connection()
        try:
            driver: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
            if driver.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                # A read-only file keeps its mode; its writes will say why they fail.
                with contextlib.suppress(sqlite3.OperationalError):
                    driver.execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()
        return
    _upgrade(db)


def _ensure_server_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in tables:
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            revision = None if row is None else str(row[0])
    if revision == HEAD_REVISION and tables >= TPM_TABLES:
        return
    if tables and not (revision is not None and tables >= TPM_TABLES):
        raise StorageError(f"{db.location.label}: holds other tables and is not a tpm database")
    _upgrade(db)


def _upgrade(db: Database) -> None:
    """Under the write lock, decide again and act once: refuse what is not tpm's, stamp
    an earlier tpm's database, back up and migrate an older one, create a new one.
    Several processes arriving at once queue on the lock; the later ones find it done."""
    with db.write_engine.connect() as conn:
        driver = conn.connection.driver_connection
        if db.is_sqlite:
            # Outside any transaction, or SQLite ignores it: batch table rebuilds must
            # not cascade deletes into child rows.
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():  # BEGIN IMMEDIATE: the write lock, before deciding
                if db.is_sqlite:
                    identity = identify(driver)  # type: ignore[arg-type]
                else:
                    identity = Identity("tpm", _server_revision(conn))
                if identity.kind == "foreign":
                    raise StorageError(f"{db.location.label}: {identity.reason}")
                _migrate(db, conn, identity.revision)
                if db.is_sqlite and not identity.stamped:
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        finally:
            if db.is_sqlite:
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
        if db.is_sqlite:
            # Only now that the file is known to be tpm's: WAL, so readers never wait
            # for a writer. A read-only file keeps its mode; its writes will say why.
            with contextlib.suppress(sqlite3.OperationalError):
                driver.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]


def _server_revision(conn: Connection) -> str | None:
    if "alembic_version" not in sa.inspect(conn).get_table_names():
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def _migrate(db: Database, conn: Connection, revision: str | None) -> None:
    """Bring the schema to head inside the caller's transaction: a fresh database is
    created, an older one is backed up first (from this same locked connection), and
    one newer than this code is refused."""
    if revision == HEAD_REVISION:
        return
    if revision is not None and revision not in known_revisions():
        raise StorageError(
            f"{db.location.label}: the database is at schema {revision}, newer than this "
            f"tpm knows (up to {HEAD_REVISION}); upgrade tpm to open it"
        )
    from alembic import command
    from alembic.config import Config

    if revision is not None and db.is_sqlite:
        driver = conn.connection.driver_connection
        db.backup(reason=f"before-{HEAD_REVISION}", connection=driver)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
    if db.is_sqlite:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StorageError(
                f"{db.location.label}: migration left {len(broken)} broken references;"
                " nothing was changed"
            )


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
