"""The SQLAlchemy side of opening a database, loaded only when needed: engines (with
the same connection settings and transactions as the stdlib path), migrations with
Alembic, server schemas, and the ORM sessions the JSON import and export use."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from tpm_tui import db as dbmod  # HEAD_REVISION and MIGRATIONS_DIR are read when used
from tpm_tui.db import APPLICATION_ID, BUSY_TIMEOUT_MS, TPM_TABLES, Identity, identify
from tpm_tui.errors import StorageError
from tpm_tui.postgres import CONNECT_TIMEOUT_S, MIGRATE_LOCK, WRITE_LOCK
from tpm_tui.sql.executor import AlchemyExecutor

if TYPE_CHECKING:
    from tpm_tui.db import Database

_WRITE = "tpm_write"
_BUSY_MS = "tpm_busy_ms"
_MIGRATE = "tpm_migrate"


def write_options(busy_ms: int | None) -> dict[str, Any]:
    """Execution options of a write transaction (BEGIN IMMEDIATE, its busy wait)."""
    options: dict[str, Any] = {_WRITE: True}
    if busy_ms is not None:
        options[_BUSY_MS] = busy_ms
    return options


@contextmanager
def alchemy_transaction(db: Database, *, write: bool) -> Iterator[AlchemyExecutor]:
    """An executor over a SQLAlchemy connection inside one transaction."""
    engine = db.write_engine if write else db.engine
    with engine.connect() as conn, conn.begin():
        # A server write has taken WRITE_LOCK in the engine's begin listener (see
        # _server_engine): tpm's writers take turns there as BEGIN IMMEDIATE makes them
        # on SQLite, so a read-then-write (a column's bottom rank, a reorder, a version
        # check) never races another's.
        yield AlchemyExecutor(conn, db.context)


@contextmanager
def orm_session(db: Database, *, write: bool) -> Iterator[Session]:
    """An ORM session (committed at the end of a write)."""
    engine = db.write_engine if write else db.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session
        if write:
            session.commit()


def make_engine(url: str, pids: set[int] | None = None) -> Engine:
    """An engine on `url`; for SQLite with tpm's connection settings and transactions;
    on a server, each new connection's process id goes into `pids` (this process's own
    connections, whose notifications are not a colleague's)."""
    if not url.startswith("sqlite"):
        return _server_engine(url, set() if pids is None else pids)
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


# How long a first start waits for another process's migration (several seconds under
# load: Alembic's import alone is half a second).
MIGRATE_WAIT_MS = 120_000


def _server_engine(url: str, pids: set[int]) -> Engine:
    """An engine on a PostgreSQL server: reads see one snapshot (REPEATABLE READ, as a
    SQLite read transaction does), writes queue on WRITE_LOCK and wait for any lock at
    most their busy wait (lock_timeout), so the TUI's impatient writes give up in time."""
    connect_args: dict[str, Any] = {}
    if "connect_timeout=" not in url and not os.environ.get("PGCONNECT_TIMEOUT"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        pids.add(dbapi_connection.info.backend_pid)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_MIGRATE, False):
            conn.exec_driver_sql(
                f"SET LOCAL lock_timeout = {MIGRATE_WAIT_MS};"
                f" SELECT pg_advisory_xact_lock({MIGRATE_LOCK})"
            )
        elif options.get(_WRITE, False):
            busy = int(options.get(_BUSY_MS, BUSY_TIMEOUT_MS))
            conn.exec_driver_sql(
                f"SET LOCAL lock_timeout = {busy}; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            )
        else:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    return engine


_OWN_TABLES = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"


def ensure_server_schema(db: Database) -> None:
    """Create or migrate a server database to head; refuse one that is not tpm's."""
    with db.engine.connect() as conn:
        # Two small catalogue reads (every command pays them), not the inspector's.
        tables = {str(row[0]) for row in conn.exec_driver_sql(_OWN_TABLES)}
        revision = None
        if "alembic_version" in tables:
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            revision = None if row is None else str(row[0])
    if revision == dbmod.HEAD_REVISION and tables >= TPM_TABLES:
        return
    if tables and not (revision is not None and tables >= TPM_TABLES):
        raise StorageError(f"{db.location.label}: holds other tables and is not a tpm database")
    upgrade(db)


def upgrade(db: Database) -> None:
    """Under the lock, decide again and act once: refuse what is not tpm's, stamp an
    earlier tpm's database, back up and migrate an older one, create a new one.
    Several processes arriving at once queue on the lock; the later ones find it done."""
    # On a server the migration lock, not the write lock: DDL's own table locks keep
    # writers out, and a first start may wait longer than a write would.
    engine = db.write_engine if db.is_sqlite else db.engine.execution_options(**{_MIGRATE: True})
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if db.is_sqlite:
            # Outside any transaction, or SQLite ignores it: batch table rebuilds must
            # not cascade deletes into child rows.
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            # BEGIN IMMEDIATE (SQLite) or MIGRATE_LOCK (a server): the lock, before
            # deciding; on a server every step below is one transaction (PostgreSQL's
            # DDL is transactional), so a failing migration leaves the schema as it was.
            with conn.begin():
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
    if revision == dbmod.HEAD_REVISION:
        return
    if revision is not None and revision not in dbmod.known_revisions():
        raise StorageError(
            f"{db.location.label}: the database is at schema {revision}, newer than this "
            f"tpm knows (up to {dbmod.HEAD_REVISION}); upgrade tpm to open it"
        )
    from alembic import command
    from alembic.config import Config

    if revision is not None and db.is_sqlite:
        driver = conn.connection.driver_connection
        db.backup(reason=f"before-{dbmod.HEAD_REVISION}", connection=driver)
    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
    if db.is_sqlite:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StorageError(
                f"{db.location.label}: migration left {len(broken)} broken references;"
                " nothing was changed"
            )
