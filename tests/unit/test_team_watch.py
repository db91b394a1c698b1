"""The server's notifications as an open app hears them: a colleague's write is told
to the screens (they read again), the app's own writes are not (the screen that wrote
shows its write already, and a 500-card board read again after each of its own moves
made the next key wait), though they still count as a change for a screen shown
later; the pool of connections stays small however many threads read, and a kept
connection the server dropped (a restart) is replaced without a word."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import NOW
from tests.postgres import Server, start_server
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import Database, open_database
from tpm_tui.postgres import IDLE_KEPT
from tpm_tui.services import backlog
from tpm_tui.watch import ServerWatch


@pytest.fixture
def url(pg_server: Server) -> str:
    """A fresh team database."""
    return pg_server.url(pg_server.fresh_database())


@pytest.fixture
def mine(url: str) -> Iterator[Database]:
    """The app's database."""
    db = open_database(Location(url, None, "test"))
    yield db
    db.close()


def _until(test: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.01)


def test_own_writes_count_as_a_change_but_only_a_colleagues_is_told(
    mine: Database, url: str
) -> None:
    told: list[float] = []
    watch = ServerWatch.on(mine)
    watch.on_change = lambda: told.append(time.monotonic())
    watch.start()
    try:
        clock = Clock(NOW)
        before = watch.version
        item = backlog.create_item(mine, clock, "story", "Mine").id
        backlog.move_item(mine.impatient(250), clock, item, "todo")  # a key's write
        _until(lambda: watch.version > before)
        time.sleep(0.5)  # time enough for anything else about them to arrive
        assert told == []

        colleague = open_database(Location(url, None, "test"))
        try:
            backlog.move_item(colleague, clock, item, "review")
        finally:
            colleague.close()
        _until(lambda: len(told) == 1)
    finally:
        watch.stop()


def test_threads_reading_share_a_few_connections(mine: Database, pg_server: Server) -> None:
    """Each of the TUI's reads runs in a worker thread of its own: the connections are
    pooled, not one per thread left open."""
    database = mine.location.url.split("?")[0].rsplit("/", 1)[-1]

    def read() -> None:
        backlog.list_columns(mine)

    for _round in range(5):
        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sessions = pg_server.psql(
        f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"
        " AND pid <> pg_backend_pid()"
    )
    assert int(sessions) <= IDLE_KEPT


def test_a_kept_connection_the_server_dropped_is_replaced_at_the_next_transaction() -> None:
    """The server restarts between two of an open app's transactions: the connection it
    kept is dead, and the next read and write go through on a new one (the app had
    nothing to say: the server was back before it asked)."""
    import shutil

    server = start_server()
    try:
        server.psql("CREATE DATABASE kept TEMPLATE tpm_template")
        db = open_database(Location(server.url("kept"), None, "test"))
        try:
            backlog.list_columns(db)  # a connection is kept for the next transaction
            server.stop()
            server.start()
            assert next(c.key for c in backlog.list_columns(db)) == "backlog"
            assert backlog.create_item(db, Clock(NOW), "story", "After the restart").id == 1
        finally:
            db.close()
    finally:
        server.stop()
        shutil.rmtree(server.socket_dir, ignore_errors=True)
