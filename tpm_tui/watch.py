"""Live changes from a team database: one dedicated connection that LISTENs on the
"tpm" channel (the migration's triggers NOTIFY it on every write to a tpm table), in a
thread of its own, and tells the screens as SQLite's `PRAGMA data_version` poll does
for a file. It also notices the server going away, reconnects by itself, and counts
the return as a change (everything is read again)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tpm_tui.db import Database


class Watcher(Protocol):
    """What a screen asks of a change watcher (SQLite's ChangeWatcher, NotifyWatcher)."""

    def changed(self) -> bool:
        """Whether anything was committed elsewhere since the previous call."""
        ...

    def close(self) -> None:
        """Release what it holds."""
        ...


CHANNEL = "tpm"
WAIT = 0.25  # seconds between looks at the stop flag
# Seconds a change waits after the one before it was told: the first of a quiet moment
# is told at once; a stream of them (five shells writing) at most this often, so the
# screen reads again a few times a second, not once per commit.
GAP = 0.25
GATHER = 0.005  # seconds to wait for the rest of one commit's notifications
PING_EVERY = 5.0  # seconds: a quiet connection is checked (a network gone sends nothing)
RETRY_EVERY = 0.5  # seconds between attempts to reconnect


class ServerWatch:
    """A LISTEN connection in a daemon thread. `version` goes up with every batch of
    notifications (and when the server comes back); `online` says whether the
    connection is up. `on_change` and `on_state(online)` are called from the thread.

    A batch of only this process's own writes (their server process ids are in `own`)
    raises `version` without calling `on_change`: the screen that wrote shows its write
    already, and a screen shown later reads it then (as SQLite's data_version poll
    sees its own process's commits too, but never pushes them). `others` goes up only
    with the batches that are told (another process's write, or the server back)."""

    def __init__(
        self,
        connect: Callable[[], Any],
        on_change: Callable[[], object] | None = None,
        on_state: Callable[[bool], object] | None = None,
        own: set[int] | None = None,
    ) -> None:
        self._connect = connect
        self.on_change = on_change
        self.on_state = on_state
        self.own = own if own is not None else set()
        self.version = 0
        self.others = 0
        self.online = True  # until the first attempt says otherwise
        self._stop = threading.Event()
        self._conn: Any = None
        self._thread = threading.Thread(target=self._run, name="tpm-listen", daemon=True)
        self._started = threading.Event()

    @classmethod
    def on(cls, db: Database) -> ServerWatch:
        """A watch on the server of `db` (not started)."""
        from tpm_tui.postgres import connect_params

        params = connect_params(db.location.url, timeout=3)  # a server gone is seen soon

        def connect() -> Any:
            import psycopg

            return psycopg.connect(**params, autocommit=True)

        return cls(connect, own=db.own_pids)

    def start(self) -> None:
        """Connect and listen in the background; returns once the first attempt ended
        (so a change committed right after is never missed)."""
        self._thread.start()
        self._started.wait(10)

    def stop(self) -> None:
        """Stop listening and close the connection."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2)

    def _changed(self, tell: bool = True) -> None:
        self.version += 1
        if tell:
            self.others += 1
            if self.on_change is not None:
                self.on_change()

    def _state(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            if self.on_state is not None:
                self.on_state(online)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except Exception:
                self._state(False)
                self._started.set()
                self._stop.wait(RETRY_EVERY)
                continue
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                back = not self.online
                self._state(True)
                if back and not first:
                    self._changed()  # whatever was written meanwhile: read it all again
                first = False
                self._started.set()
                self._listen(conn)
            except Exception:
                self._state(False)
                self._stop.wait(RETRY_EVERY)
            finally:
                with contextlib.suppress(Exception):  # a broken one may fail to close
                    conn.close()

    def _listen(self, conn: Any) -> None:
        """Wait for notifications until stopped (raises when the connection breaks).
        The first after a quiet moment is told at once; while they keep coming, what
        arrived is told every GAP seconds."""
        quiet_since = time.monotonic()
        told_at = 0.0
        while not self._stop.is_set():
            batch = list(conn.notifies(timeout=WAIT, stop_after=1))
            if not batch:
                if time.monotonic() - quiet_since > PING_EVERY:
                    conn.execute("SELECT 1")
                    quiet_since = time.monotonic()
                continue
            # The rest of that commit's notifications, and anything else until the gap
            # since the last change told is over.
            wait = max(GATHER, told_at + GAP - time.monotonic())
            batch += conn.notifies(timeout=wait)
            quiet_since = told_at = time.monotonic()
            self._changed(tell=any(note.pid not in self.own for note in batch))


class NotifyWatcher:
    """One screen's view of a ServerWatch, with the ChangeWatcher's interface. With
    `others_only`, this process's own writes are not changes (for a screen that reads
    back its own writes itself: their notifications come after that read began)."""

    def __init__(self, watch: ServerWatch, others_only: bool = False) -> None:
        self._watch = watch
        self._others_only = others_only
        self._last = self._count()

    def _count(self) -> int:
        return self._watch.others if self._others_only else self._watch.version

    def changed(self) -> bool:
        """Whether a change was notified since the previous call."""
        current = self._count()
        changed, self._last = current != self._last, current
        return changed

    def close(self) -> None:
        """Nothing of its own to release (the app stops the watch)."""
