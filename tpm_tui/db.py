"""Opening the database: engine and pragmas, write transactions, migrations, backups."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from tpm_tui.config import Location, create_private_file, make_private_dir, read_only_requested
from tpm_tui.errors import DatabaseBusy, ReadOnlyWorkspace, StorageError

# The newest migration this code knows. A test keeps it equal to the scripts' head,
# so opening a current database never needs to import Alembic (about 0.5 s).
HEAD_REVISION = "0003"
BUSY_TIMEOUT_MS = 10_000
BACKUPS_KEPT = 5
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_WRITE = "tpm_write"
_BUSY_MS = "tpm_busy_ms"


def known_revisions() -> set[str]:
    """Every schema revision this code ships (read from the migration file names, so
    no Alembic import)."""
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")}


class Database:
    """One workspace's database: short sessions for reads, BEGIN IMMEDIATE for writes."""

    def __init__(self, location: Location, engine: Engine, busy_ms: int | None = None) -> None:
        self.location = location
        self.engine = engine
        self.busy_ms = busy_ms
        options: dict[str, Any] = {_WRITE: True}
        if busy_ms is not None:
            options[_BUSY_MS] = busy_ms
        self.write_engine = engine.execution_options(**options)
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.read_only = read_only_requested()

    def impatient(self, busy_ms: int) -> Database:
        """The same database, whose writes give up after `busy_ms` when another program
        holds the write lock (raising DatabaseBusy, nothing written): the TUI writes
        with it so that a busy database never freezes the screen."""
        return Database(self.location, self.engine, busy_ms)

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

    def backup(self, reason: str = "manual", folder: Path | None = None) -> Path:
        """Write a consistent copy (VACUUM INTO), 0600, into the backups folder and
        return its path. Automatic backups (reason `before-…`) keep the newest few;
        ones a person asked for are never deleted."""
        if not self.is_sqlite or self.location.path is None:
            raise StorageError(f"{self.location.label}: backups are made only of SQLite files")
        target_dir = folder or self.location.backup_dir
        assert target_dir is not None
        make_private_dir(target_dir)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = target_dir / f"{self.location.path.stem}-{stamp}-{reason}.db"
        create_private_file(target)
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM INTO ?", (str(target),))  # type: ignore[union-attr]
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise StorageError(f"{target}: backup failed ({exc})") from exc
        finally:
            raw.close()
        os.chmod(target, 0o600)
        if folder is None and reason.startswith("before-"):
            _prune_backups(target_dir, self.location.path.stem)
        return target

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def _prune_backups(folder: Path, stem: str) -> None:
    backups = sorted(folder.glob(f"{stem}-*Z-before-*.db"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


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
        # so reads get a real snapshot and writes take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A read-only file keeps its journal mode; its writes will say why they fail.
        with contextlib.suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode=WAL")
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


def open_database(location: Location, *, create: bool = True) -> Database:
    """Open (creating and migrating as needed) the database at `location`.

    Raises StorageError with the file named for anything that stops it being used."""
    if location.path is not None:
        path = location.path
        if path.exists() and not path.is_file():
            raise StorageError(f"{path}: not a file")
        if not path.exists():
            if not create:
                raise StorageError(f"{path}: no tpm database here")
            try:
                make_private_dir(path.parent)
                create_private_file(path)
            except OSError as exc:
                raise StorageError(f"{path}: cannot create the database ({exc.strerror})") from exc
    try:
        engine = _make_engine(location.url)
    except Exception as exc:  # bad URL, missing driver
        raise StorageError(f"{location.label}: cannot open ({_describe(exc)})") from exc
    db = Database(location, engine)
    try:
        _ensure_schema(db)
    except StorageError:
        db.close()
        raise
    except sa.exc.SQLAlchemyError as exc:
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


def current_revision(conn: Connection) -> str | None:
    """The schema revision stamped in the database, or None for an empty one.

    Raises StorageError for a database that holds tables but is not tpm's."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    if "alembic_version" in tables:
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])
    if tables:
        raise StorageError("holds other tables and is not a tpm database")
    return None


def _ensure_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        try:
            revision = current_revision(conn)
        except StorageError as exc:
            raise StorageError(f"{db.location.label}: {exc}") from None
    if revision == HEAD_REVISION:
        return
    migrate(db, revision)


def migrate(db: Database, revision: str | None) -> None:
    """Bring the schema to head: a fresh database is created, an older one is backed
    up first, and one newer than this code is refused."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    if revision is not None:
        try:
            known = script.get_revision(revision) is not None
        except Exception:
            known = False
        if not known:
            raise StorageError(
                f"{db.location.label}: the database is at schema {revision}, newer than this "
                f"tpm knows (up to {HEAD_REVISION}); upgrade tpm to open it"
            )
        if db.is_sqlite:
            db.backup(reason=f"before-{HEAD_REVISION}")
    # A write connection: BEGIN IMMEDIATE, so two processes opening a new database at
    # once serialise here and the second finds the schema already at head.
    with db.write_engine.connect() as conn:
        driver = conn.connection.driver_connection
        if db.is_sqlite:
            # Outside any transaction, or SQLite ignores it: batch table rebuilds must
            # not cascade deletes into child rows.
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
            if db.is_sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.commit()
                if broken:
                    raise StorageError(
                        f"{db.location.label}: migration left {len(broken)} broken references;"
                        " restore the backup in the backups folder"
                    )
        finally:
            if db.is_sqlite:
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


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
