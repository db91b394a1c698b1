"""Reading ahead: once the app's first screen has its data drawn, a worker imports the
sprint and goals screens and reads the data each opens with, so that pressing 5 or 6
draws it at once instead of reading it then (reading the sprint screen's backlog, row
by row, was about a third of the work of its first opening, and more when it shared
the processor with the screen's building).

A read ahead is shown only if it is still true: nothing committed to the database
since it was read (SQLite's data_version on a connection of its own, taken before the
read, moves with every commit of any other connection) and the same day. On a team
server (no data_version) only the modules are imported. Each import and each read
starts between keys: none waiting or just handled (BETWEEN), and the screen in front
showing its data; a key typed during one shares the processor with it for the tens of
milliseconds it lasts. A screen opened before its read ahead began has it begun as
the key is handled (`read_now`, beside the screen's building), and one opened while
it is on its way takes its result rather than reading twice.

Then, on a SQLite file, the sprint and goals screens themselves are built ahead (one
per quiet moment, never while a form or a modal is open): the app creates and mounts
each mode's screen without showing it (Textual's own first switch, less the switch:
see `TpmApp.on_build_ahead`), and the screen takes its read ahead as it mounts. Creating,
composing, styling and mounting a screen was most of a first opening (~300 ms on this
machine, an empty screen's too); a screen built ahead opens as it does the second time,
reading again only what was committed since (the sprint screen's data_version; the
goals screen's change watcher)."""

from __future__ import annotations

import importlib
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from datetime import date

    from textual.screen import Screen

    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.db import Database

QUIET = 0.5  # seconds without a key before the next step of building ahead starts
BETWEEN = 0.05  # seconds after a key (or the first data) before an import or a read
WAIT_AT_MOST = 10.0  # seconds a screen waits for a read ahead already running
BUILT = ("sprint", "goals")  # the modes whose screens are built ahead, in this order

# What the sprint and goals screens import when first shown (their own modules, and
# the services their first read imports in its worker), imported before their reads;
# then, once the app has been quiet (after the building), what the week, roadmap (the
# item form and its editor come with it) and time screens import.
MODULES = (
    "tpm_tui.screens.sprint",
    "tpm_tui.services.sprints",
    "tpm_tui.screens.goals",
    "tpm_tui.services.goals",
)
LATER = (
    "tpm_tui.screens.week",
    "tpm_tui.services.reports",
    "tpm_tui.screens.roadmap",
    "tpm_tui.services.roadmap",
    "tpm_tui.screens.time",
)


@dataclass
class Ahead:
    """A screen's first data, read ahead, with what tells whether it is still true."""

    probe: sqlite3.Connection  # never writes: its data_version moves with every commit
    version: int
    day: date
    data: object
    known: object | None = None  # the sprint screen's KnownItems (rows converted once)

    def still_true(self, today: date) -> bool:
        """Whether nothing was committed since it was read and it is the same day
        (then closes the probe: it is asked once)."""
        try:
            return today == self.day and _data_version(self.probe) == self.version
        except sqlite3.Error:
            return False
        finally:
            self.probe.close()


def _data_version(probe: sqlite3.Connection) -> int:
    return int(probe.execute("PRAGMA data_version").fetchone()[0])


def _sprint(db: Database, clock: Clock) -> tuple[object, object]:
    from tpm_tui.services.sprints import KnownItems, load_planning

    known = KnownItems()
    return load_planning(db, clock, None, None, (), known), known


def _goals(db: Database, clock: Clock) -> tuple[object, object]:
    from tpm_tui.services.goals import load_goals

    return load_goals(db, clock), None


READERS: dict[str, Callable[[Database, Clock], tuple[object, object]]] = {
    "sprint": _sprint,
    "goals": _goals,
}


class BuildAhead(Message):
    """From the read ahead's worker to the app: if the app is still idle, build `mode`'s
    screen (no `screen` given: the app sets it to the screen it built, if it built one)
    or do `step` to the screen built (`done_step`: it was done). `busy`: a key, a form
    or a read came first; `done` is set once the app has answered."""

    def __init__(self, mode: str, screen: Screen[Any] | None = None, step: str = "") -> None:
        super().__init__()
        self.mode = mode
        self.screen = screen
        self.step = step
        self.done = threading.Event()
        self.busy = False
        self.done_step = False


class ReadAhead:
    """The reads ahead of one app: started once its first screen's data is shown,
    taken (once each) by the screen they are for."""

    def __init__(self, app: TpmApp) -> None:
        self.app = app
        self._lock = threading.Condition()
        self._state: dict[str, str] = {}  # name -> waiting, reading, done or taken
        self._ready: dict[str, Ahead] = {}
        self._started = False
        self._since = 0.0  # when the first screen's data was shown
        self._closed = False
        self._source: Database | None = None  # the workspace's database, as opened
        self.built: dict[str, float] = {}  # mode -> when its screen built ahead had its data
        self._idle_since: float | None = None  # since when the worker has seen the app idle

    def start(self) -> None:
        """Read ahead in a worker (once): the screens not opened yet, on a SQLite file."""
        if self._started:
            return
        self._started = True
        self._since = time.monotonic()
        workspace = self.app.workspace
        reads = workspace.is_open and workspace.db.is_sqlite
        if reads:
            self._source = workspace.db
        with self._lock:
            names = [n for n in READERS if reads and n not in self._state]
            for name in names:
                self._state[name] = "waiting"
        self.app.run_worker(
            lambda: self._run(names),
            thread=True,
            group="read-ahead",
            description="read the sprint and goals screens ahead",
        )

    def take(self, name: str, wait: bool) -> Ahead | None:
        """The read ahead for screen `name` (once; None if there is none). One not
        started yet never will be (the screen reads for itself); one being read is
        waited for if `wait` (from the screen's worker; never on the UI thread)."""
        deadline = time.monotonic() + WAIT_AT_MOST
        with self._lock:
            state = self._state.get(name)
            while wait and state == "reading" and time.monotonic() < deadline:
                self._lock.wait(0.05)
                state = self._state.get(name)
            if state == "reading":
                return None  # (left to finish: its screen then never takes it)
            self._state[name] = "taken"
            return self._ready.pop(name, None)

    def read_now(self, mode: str) -> None:
        """Mode `mode` is being switched to: if its data waits to be read ahead (its
        screen is shown for the first time before the app sat idle), read it now in a
        worker. The screen, still being imported, built and mounted meanwhile, then
        takes that read (`take` waits for it) instead of starting its own read only
        once it is mounted (some 30-50 ms later, on this machine)."""
        if self._begin(mode):
            self.app.run_worker(
                lambda: self._read_into(mode),
                thread=True,
                group="read-ahead",
                description=f"read the {mode} screen's data as it opens",
            )

    def close(self) -> None:
        """The app is leaving: drop what was not taken (a read on its way drops its own)."""
        with self._lock:
            self._closed = True
            for ahead in self._ready.values():
                ahead.probe.close()
            self._ready.clear()
            self._lock.notify_all()

    # ------------------------------------------------------------ in the worker

    def _quiet(self) -> bool:
        """Wait until the app is idle (see `idle`: no form or modal in front either) and
        the screen in front has been settled for QUIET seconds as seen from here, not
        only since the last key: a key that takes longer than that (a first opening) is
        done only once its screen has settled and been drawn, and a step begun the
        moment it settled would hold up its drawing. False if the app left."""
        while not self._closed:
            now = time.monotonic()
            if self.app.keys_held or not self._settled(strict=True):
                self._idle_since = None
            elif self._idle_since is None:
                self._idle_since = now
            idle_for = now - self._idle_since if self._idle_since is not None else 0.0
            if idle_for >= QUIET and self.idle(strict=True):
                return True
            time.sleep(0.05)
        return False

    def idle(self, strict: bool) -> bool:
        """Whether no key has been typed for QUIET seconds (nor since the first screen's
        data was shown) and the screen in front has its data; `strict`: and it is not a
        form or a modal (a look from any thread: it changes nothing)."""
        app = self.app
        last = max(app.last_key_at, self._since)
        return not app.keys_held and time.monotonic() - last >= QUIET and self._settled(strict)

    def _settled(self, strict: bool) -> bool:
        """Whether the screen in front shows its data, with no read or write on its way."""
        from textual.app import ScreenStackError, UnknownModeError

        from tpm_tui.screens.base import WorkspaceScreen

        try:
            screen = self.app.screen
        except (ScreenStackError, UnknownModeError):  # no screen: the app is leaving
            return False
        if not isinstance(screen, WorkspaceScreen):
            return not strict  # a form or a modal: the keys say whether it is in use
        return screen.ready and not screen.stale and screen.waiting_for is None

    def _run(self, names: list[str]) -> None:
        self._read_all(names)
        if self._source is not None:  # (a team server's screens read it when opened)
            for mode in BUILT:
                self._build(mode)
        # The other screens' modules last, after a quiet moment: imported between keys
        # right after the reads, they shared the processor with a first 5 or 6 pressed
        # then (some 60 ms more for the sprint screen).
        if self._quiet():
            self._import(LATER)

    def _build(self, mode: str) -> None:
        """Have the app build `mode`'s screen, wait until it shows its data, then have
        the app prepare it (hidden.STEPS), each step when the app is idle."""
        from tpm_tui.screens.base import WorkspaceScreen
        from tpm_tui.screens.hidden import STEPS

        built = self._ask(BuildAhead(mode))
        screen = built.screen if built is not None else None
        if not isinstance(screen, WorkspaceScreen):
            return  # the mode has its screen, or the app left
        deadline = time.monotonic() + WAIT_AT_MOST
        while not screen.ready and not self._closed and time.monotonic() < deadline:
            time.sleep(0.01)
        for step in STEPS:
            if not screen.ready:
                return  # its read failed (it says so when shown), or the app left
            done = self._ask(BuildAhead(mode, screen, step))
            if done is None or not done.done_step:
                return  # shown meanwhile, or Textual lacks what the step uses
        self.built[mode] = time.monotonic()

    def _ask(self, request: BuildAhead) -> BuildAhead | None:
        """Post `request` to the app once it is idle, again after each quiet moment
        while a key came first; the answered request (None if the app left)."""
        while self._quiet():
            self.app.post_message(request)
            while not request.done.wait(0.05):
                if self._closed:
                    return None
            if not request.busy:
                return request
            request = BuildAhead(request.mode, request.screen, request.step)
        return None

    def _read_all(self, names: list[str]) -> None:
        if not self._import(MODULES):
            return
        for name in names:
            if not self._between_keys():
                return
            if self._begin(name):
                self._read_into(name)

    def _import(self, modules: tuple[str, ...]) -> bool:
        """Import `modules`, one at a time, each between keys; False if the app left."""
        for module in modules:
            if not self._between_keys():
                return False
            importlib.import_module(module)
        return True

    def _between_keys(self) -> bool:
        """Wait until no key is waiting, none was handled for BETWEEN seconds (nor the
        first data shown), and the screen in front has its data. False if the app left."""
        app = self.app
        while not self._closed:
            last = max(app.last_key_at, self._since)
            if (
                not app.keys_held
                and time.monotonic() - last >= BETWEEN
                and self._settled(strict=False)
            ):
                return True
            time.sleep(0.01)
        return False

    def _begin(self, name: str) -> bool:
        """Mark `name` as being read, if it is still waiting (not opened meanwhile, nor
        read already)."""
        with self._lock:
            if self._source is None or self._closed or self._state.get(name) != "waiting":
                return False
            self._state[name] = "reading"
            return True

    def _read_into(self, name: str) -> None:
        """Read one screen's data ahead and hand it to whoever waits for it."""
        ahead = self._read(name)
        with self._lock:
            if ahead is not None and not self._closed:
                self._ready[name] = ahead
            elif ahead is not None:
                ahead.probe.close()
            self._state[name] = "done"
            self._lock.notify_all()

    def _read(self, name: str) -> Ahead | None:
        """Read one screen's data on a connection of its own (closed here, so a read
        still on its way when the app leaves never has its connection closed under it)."""
        from tpm_tui.db import Database

        shared = self._source
        assert shared is not None  # (names to read are set only with it)
        clock = self.app.workspace.clock
        db = Database(shared.location, shared.file, alchemy=shared.uses_alchemy)
        probe: sqlite3.Connection | None = None
        try:
            probe = db.raw_connection()
            version = _data_version(probe)
            day = clock.today()
            data, known = READERS[name](db, clock)
        except Exception:  # (a read ahead never ends the app)
            # Whatever went wrong (a locked file, or a fault of the reader itself), the
            # screen reads for itself when shown, and says what is wrong there.
            if probe is not None:
                probe.close()
            return None
        finally:
            db.close()
        return Ahead(probe, version, day, data, known)
