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

if TYPE_CHECKING:
    from tpm_tui.db import ChangeWatcher, Database

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

    @property
    def name(self) -> str:
        """The workspace as the header names it: its file, with ~ for home."""
        if self._name is not None:
            return self._name
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
            name = location.url.rsplit("/", 1)[-1].split("?", 1)[0]
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

    def watcher(self) -> ChangeWatcher | None:
        """A change watcher for SQLite files (None for server databases)."""
        from tpm_tui.db import ChangeWatcher

        if self.location.path is None:
            return None
        return ChangeWatcher(self.location.path)

    def close(self) -> None:
        """Release the database."""
        if self._db is not None:
            self._db.close()
