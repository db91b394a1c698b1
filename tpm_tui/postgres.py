"""A team server's connections without SQLAlchemy: psycopg 3 connections made from the
workspace's URL (read as SQLAlchemy reads it), a small pool shared by the threads of
one process, and the transactions every service runs in — reads on one snapshot
(REPEATABLE READ, as a SQLite read), writes queued on tpm's advisory write lock under
their busy wait (what BEGIN IMMEDIATE is on SQLite). SQLAlchemy is loaded only to
migrate, for the JSON import and export, and when TPM_EXECUTOR=sqlalchemy asks."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from tpm_tui.sql.executor import PsycopgExecutor

if TYPE_CHECKING:
    from collections.abc import Mapping

# Advisory lock keys ("tpm" and a number), one namespace per database: every write
# transaction takes WRITE_LOCK first (writers queue, none reads what another is about
# to change); MIGRATE_LOCK serializes first starts (engine.py).
WRITE_LOCK = 0x74706D_01
MIGRATE_LOCK = 0x74706D_02
# How long a connection attempt may take when neither the URL nor PGCONNECT_TIMEOUT
# says: an unreachable host then fails in seconds, not minutes (libpq waits forever).
CONNECT_TIMEOUT_S = 10
IDLE_KEPT = 4  # connections kept open between transactions (threads of one app)


def connect_params(url: str, timeout: int = CONNECT_TIMEOUT_S) -> dict[str, Any]:
    """psycopg's keyword arguments for a server URL, read as SQLAlchemy reads it (user,
    password, host and port, database, then every query key: `host=/socket`, `sslmode`,
    …); libpq fills in the rest from its environment (PGHOST, ~/.pgpass, …). A connection
    attempt gives up after `timeout` seconds unless the URL or PGCONNECT_TIMEOUT says."""
    from tpm_tui.config import _URL

    match = _URL.match(url)
    if match is None:
        raise ValueError("not a database URL")
    params: dict[str, Any] = {}
    if match["username"]:
        params["user"] = unquote(match["username"])
    if match["password"] is not None:
        params["password"] = unquote(match["password"])
    host, port = _host_and_port(match["hostpart"] or "")
    if host:
        params["host"] = unquote(host)
    if port:
        params["port"] = port
    if match["database"]:
        params["dbname"] = unquote(match["database"])
    params.update(parse_qsl(match["query"] or "", keep_blank_values=True))
    if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
        params["connect_timeout"] = timeout
    return params


def _host_and_port(hostpart: str) -> tuple[str, str]:
    if hostpart.startswith("["):  # an IPv6 address
        end = hostpart.find("]")
        return hostpart[1:end], hostpart[end + 2 :] if end >= 0 else ""
    host, _, port = hostpart.partition(":")
    return host, port


class Pool:
    """The connections of one database in this process: taken by a transaction, given
    back after it; a few kept open between transactions. Every connection's server
    process id is remembered (`pids`), so that the notifications of this process's own
    writes can be told from a colleague's."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pids: set[int] = set()
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def connect(self) -> Any:
        """A new connection (autocommit at the driver: tpm sends BEGIN itself)."""
        import psycopg

        conn = psycopg.connect(**connect_params(self.url), autocommit=True)
        with self._lock:
            self.pids.add(conn.info.backend_pid)
        return conn

    def take(self) -> tuple[Any, bool]:
        """A connection, and whether it is new (an idle one may have been dropped by the
        server since: its first use may fail, and a new one is then asked for)."""
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if not (conn.closed or conn.broken):
                    return conn, False
        return self.connect(), True

    def give_back(self, conn: Any) -> None:
        """Keep a connection that is idle and sound for the next transaction."""
        from psycopg.pq import TransactionStatus

        with self._lock:
            keep = (
                not self._closed
                and not conn.closed
                and not conn.broken
                and conn.info.transaction_status == TransactionStatus.IDLE
                and len(self._idle) < IDLE_KEPT
            )
            if keep:
                self._idle.append(conn)
                return
        self._close(conn)

    def _close(self, conn: Any) -> None:
        # Its process id may be another session's later: no longer one of ours.
        with contextlib.suppress(Exception):
            self.pids.discard(conn.info.backend_pid)
        with contextlib.suppress(Exception):
            conn.close()

    def close(self) -> None:
        """Close the idle connections; those in use are closed when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            self._close(conn)


def _begin(pool: Pool, sql: str) -> Any:
    """A connection with `sql` (a BEGIN and what goes with it) run on it. A kept
    connection the server dropped meanwhile (a restart) is replaced once: its BEGIN
    reached nothing, so sending it again on a new connection is safe."""
    conn, new = pool.take()
    try:
        conn.execute(sql)
    except Exception:
        broken = conn.broken or conn.closed
        _end(pool, conn)
        if new or not broken:
            raise  # a refusal (the lock's wait ran out): the connection stays good
        conn = pool.connect()
        try:
            conn.execute(sql)
        except BaseException:
            _end(pool, conn)
            raise
    return conn


def _end(pool: Pool, conn: Any) -> None:
    """Roll back what is open on a connection (if it still answers) and give it back."""
    if not (conn.broken or conn.closed):
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
    pool.give_back(conn)


@contextmanager
def transaction(
    pool: Pool, context: Mapping[str, Any], *, write: bool, busy_ms: int
) -> Iterator[PsycopgExecutor]:
    """An executor inside one transaction, committed when the block ends without an
    error and rolled back otherwise. A write first takes WRITE_LOCK, waiting for it (and
    for any row lock) at most `busy_ms` (lock_timeout), then gives up: DatabaseBusy."""
    if write:
        begin = (
            f"BEGIN; SET LOCAL lock_timeout = {int(busy_ms)};"
            f" SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        )
    else:
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
    conn = _begin(pool, begin)
    try:
        yield PsycopgExecutor(conn, context)
    except BaseException:
        _end(pool, conn)
        raise
    try:
        conn.execute("COMMIT")
    finally:
        pool.give_back(conn)
