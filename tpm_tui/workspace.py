"""The workspace the TUI works on: where it is, its clock, and the database once open.
Opening imports SQLAlchemy and SQLModel, so the TUI does it after its first paint."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.text import clean_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from tpm_tui.db import Database
    from tpm_tui.watch import ServerWatch, Watcher

WRITE_WAIT_MS = 250  # how long a key's write waits for another program's write lock


class Workspace:
    """A location and a clock; `open()` gives the database (once, from any thread)."""

    def __init__(
        self,
        location: Location,
        clock: Clock,
        db: Database | None = None,
        name: str | None = None,
    ) -> None:
        self.location = location
        self.clock = clock
        self._db = db
        self._quick: Database | None = None
        self._name = name
        self._lock = threading.Lock()
        # A team database's live changes: the app asks for them (`listen`), the watch
        # starts when the database is first opened (off the UI thread).
        self._on_change: Callable[[], object] | None = None
        self._on_state: Callable[[bool], object] | None = None
        self._watch: ServerWatch | None = None
        self.role_read_only = False  # a server role that may only read (known once open)

    @property
    def is_server(self) -> bool:
        """Whether this is a team database on a server (not a SQLite file)."""
        return self.location.path is None

    @property
    def name(self) -> str:
        """The workspace as the header names it: its file, with ~ for home."""
        if self._name is not None:
            return self._name
        if self.is_server:
            from tpm_tui.db import current_user

            return f"team · {server_place(self.location.url)} · as {current_user()}"
        label = self.location.label
        home = str(Path.home())
        if label.startswith(home + os.sep):
            return "~" + label[len(home) :]
        return label

    @property
    def file_tag(self) -> str:
        """What names this workspace in the files it writes (reports), so that two
        workspaces never overwrite each other's: "" for the default database, else its
        file's name (`work` for work.db; the folder's for a tpm.db elsewhere; the
        database's name for a server) and a short hash of the resolved file (or of the
        URL), since two folders may each hold a q.db: `work-1a2b3c`."""
        import hashlib

        from tpm_tui.config import DB_FILENAME, default_data_dir

        location = self.location
        if location.source == "demo":
            return "demo"
        if location.path is None:
            name = server_database(location.url)
            identity = location.label  # the URL without its password
        else:
            real = location.path.resolve()
            if real == (default_data_dir() / DB_FILENAME).resolve():
                return ""
            name = real.parent.name if real.name == DB_FILENAME else real.stem
            identity = str(real)
        name = re.sub(r"[^\w.-]+", "-", name, flags=re.ASCII).strip("-.") or "workspace"
        digest = hashlib.sha256(os.fsencode(identity)).hexdigest()[:6]
        return f"{name}-{digest}"

    def open(self) -> Database:
        """The open database (opened, created or migrated on first call). Its writes
        wait at most WRITE_WAIT_MS for another program's lock, then raise DatabaseBusy
        (nothing written), so a key never freezes the screen for the busy timeout."""
        with self._lock:
            if self._db is None:
                from tpm_tui.db import open_database

                self._db = open_database(self.location)
                if self.is_server:
                    self.role_read_only = not can_write(self._db)
                    if self._on_change is not None:
                        self._start_watch(self._db)
            if self._quick is None:
                self._quick = self._db.impatient(WRITE_WAIT_MS)
            return self._quick

    @property
    def is_open(self) -> bool:
        """Whether `open()` has opened the database (`db` may be asked)."""
        return self._db is not None

    @property
    def db(self) -> Database:
        """The database (impatient writes); only after `open()`."""
        assert self._db is not None, "Workspace.open() first"
        if self._quick is None:
            self._quick = self._db.impatient(WRITE_WAIT_MS)
        return self._quick

    @property
    def patient_db(self) -> Database:
        """The database with the full busy timeout, for retries off the UI thread."""
        assert self._db is not None, "Workspace.open() first"
        return self._db

    def watcher(self, others_only: bool = False) -> Watcher | None:
        """A change watcher: `PRAGMA data_version` for a SQLite file, the LISTEN
        connection's notifications for a server (None if nobody `listen`s); with
        `others_only`, only other processes' notifications count on a server (a
        SQLite screen's own commit is over before it reads it back)."""
        from tpm_tui.db import ChangeWatcher

        if self.location.path is None:
            from tpm_tui.watch import NotifyWatcher

            return NotifyWatcher(self._watch, others_only) if self._watch is not None else None
        return ChangeWatcher(self.location.path)

    def listen(self, on_change: Callable[[], object], on_state: Callable[[bool], object]) -> None:
        """Ask for a server's live changes (`on_change`) and its comings and goings
        (`on_state(online)`), both called from the listening thread. Nothing happens
        for a SQLite file (its screens poll `PRAGMA data_version`)."""
        self._on_change, self._on_state = on_change, on_state

    def _start_watch(self, db: Database) -> None:
        from tpm_tui.watch import ServerWatch

        watch = ServerWatch.on(db)
        watch.on_change, watch.on_state = self._on_change, self._on_state
        watch.start()
        self._watch = watch

    @property
    def online(self) -> bool:
        """Whether the server answers (always, for a SQLite file)."""
        return self._watch is None or self._watch.online

    def close(self) -> None:
        """Release the database (and stop listening)."""
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._db is not None:
            self._db.close()


def server_place(url: str) -> str:
    """Where a server database is, as the header says it: `db.internal/product`, with a
    port other than 5432 (`db.internal:5433/product`), and `local/product` for libpq's
    Unix socket (no host, or a socket folder as the host). No user, no password."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or (query.get("host") or [""])[0] or os.environ.get("PGHOST", "")
    try:
        port = parts.port or (query.get("port") or [""])[0] or os.environ.get("PGPORT", "")
    except ValueError:  # a port that is no number: libpq will say so
        port = ""
    database = server_database(url)
    if not host or host.startswith("/") or host.startswith("@"):
        place = "local"
    else:
        place = host if str(port) in ("", "5432") else f"{host}:{port}"
    return clean_line(f"{place}/{database}" if database else place)


def server_database(url: str) -> str:
    """The database a server URL names (its path; else libpq's PGDATABASE), never a
    piece of its query (a socket folder holds slashes too)."""
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.lstrip("/")) or os.environ.get("PGDATABASE", "")


def can_write(db: Database) -> bool:
    """Whether the server role may change tpm's data (a role granted SELECT only may
    not: its screens open, and its writing keys say "read-only")."""
    try:
        with db.read() as ex:
            return bool(ex.driver_rows("SELECT has_table_privilege('work_item', 'UPDATE')")[0][0])
    except Exception:  # unknown (the server went away): the first write says what is wrong
        return True
