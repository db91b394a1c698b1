"""What every screen of the workspace shares: the header, a status line with the
running timer, the key bar, fresh figures each time it is shown, and the one way keys
reach the database: in order, never on a stale view, never freezing the screen, and
never taking the app down (every failure becomes a message)."""

from __future__ import annotations

import functools
import inspect
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import events
from textual._context import active_app
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from tpm_tui.config import read_only_requested
from tpm_tui.errors import DatabaseBusy, ServerUnreachable, StorageError, TpmError
from tpm_tui.widgets.timer_badge import TimerBadge

if TYPE_CHECKING:
    from tpm_tui.app import TpmApp
    from tpm_tui.db import Database
    from tpm_tui.watch import Watcher
    from tpm_tui.workspace import Workspace

T = TypeVar("T")
S = TypeVar("S", bound="WorkspaceScreen")

WAIT_NOTE_AFTER = 0.1  # seconds a key may wait silently before the status line says why
RETRY_FOR = 30.0  # seconds a write keeps retrying a database locked by another program
# Seconds between looks for a commit made elsewhere (a cheap look: SQLite's data_version
# on one connection, or a counter on a server): a change shows within a second.
LOOK_EVERY = 0.5


READ_ONLY_ROLE = "read-only: your database role may only read — nothing was changed"
# One wording of a team server gone, wherever it is said: the status line's lasting
# notice, the notification when it goes, and the refusal of a key meanwhile.
SERVER_GONE = "the server does not answer; nothing can be changed until it is back"
OFFLINE = "the server does not answer (reconnecting…): nothing was changed"


def refusal(error: TpmError) -> str:
    """What a form says when its save is refused. A busy database is said plainly: the
    form keeps what was typed, so trying again is one key; a server role that may not
    write says "read-only" in one line (not the server's long message), and a server
    that does not answer says so as the status line does."""
    if isinstance(error, DatabaseBusy):
        return (
            "The database is busy (another program is writing to it): nothing was saved."
            " Try again in a moment; what you typed is kept."
        )
    if denied(error):
        return READ_ONLY_ROLE
    if isinstance(error, ServerUnreachable):  # as the status line says it, not libpq's text
        return OFFLINE
    return str(error)


def denied(error: BaseException) -> bool:
    """Whether a failure is the server refusing a role a write (SQLSTATE 42501,
    insufficient privilege), looked for along the causes (SQLAlchemy wraps psycopg)."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        orig = getattr(seen, "orig", None)
        if getattr(seen, "sqlstate", None) == "42501" or getattr(orig, "sqlstate", None) == "42501":
            return True
        seen = seen.__cause__
    return False


def opens_form(method: Callable[..., None]) -> Callable[..., None]:
    """Mark a queued key action that opens a form or a line to type in (put it under
    `@queued`): while it waits its turn, the keys typed after it wait unread, since
    they belong to the form, not to the screen."""
    method.__tpm_opens_form__ = True  # type: ignore[attr-defined]
    return method


def queued(method: Callable[..., None]) -> Callable[..., None]:
    """Mark a key's action as one that reads or changes what the screen shows: it runs
    when the screen's data is on screen and no earlier write is still waiting, in the
    order the keys were pressed (never dropped, never applied to a stale view)."""
    form = getattr(method, "__tpm_opens_form__", False)

    @functools.wraps(method)
    def wrapper(self: WorkspaceScreen, *args: Any) -> None:
        self.act(functools.partial(method, self, *args), opens_form=form)

    wrapper.__tpm_queued__ = True  # type: ignore[attr-defined]
    return wrapper


H = TypeVar("H", bound=Callable[..., Any])


def unless_leaving(handler: H) -> H:
    """Mark a handler of data read in a worker: it is dropped once the app is leaving
    (q or a signal while the read was on its way), as the screen's widgets are going
    and could no longer be queried or mounted."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def awaited(self: WorkspaceScreen, message: Any) -> None:
            if self.is_attached:  # False from the moment the app is asked to exit
                await handler(self, message)

        return cast("H", awaited)

    @functools.wraps(handler)
    def called(self: WorkspaceScreen, message: Any) -> None:
        if self.is_attached:
            handler(self, message)

    return cast("H", called)


class WorkspaceScreen(Screen[None]):
    """A screen over the app's workspace. Subclasses set ICON and draw the rest,
    implement `reload` (called whenever the screen is shown again) and call `loaded()`
    once their first data is on screen. Key actions that touch the data are wrapped in
    `@queued`; their writes go through `save`. A screen with LIVE set follows what
    other programs commit: it reads again (its `reload(first=False)`) while shown."""

    ICON = "▦"
    # Follow commits made elsewhere with the shared look below (the board and the
    # sprint screen have their own, which spare them re-reading their own writes).
    LIVE: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # the first data is on screen
        self.stale = False  # a read is on its way that replaces what is shown
        self.waiting_for: str | None = None  # a write retrying in the background
        self._pending: deque[Callable[[], None]] = deque()
        self._forms_waiting: set[int] = set()  # ids of waiting actions that open a form
        self._waiting_since: float | None = None
        self._opening_resumes = 0  # "resume" events posted before the screen mounted
        # What the screen's styles were last brought up to date with (see `post_message`):
        # when it was hidden, or styled ahead of its first showing; None: not yet.
        self.styled_with: tuple[int, bool] | None = None
        self._live: Watcher | None = None  # commits made elsewhere (a LIVE screen's)
        # Textual counts a new screen as out of date with the stylesheet and, on the
        # first switch to its mode, re-parses every rule of the app twice (~100 ms on
        # this machine). It is styled as it mounts, with the stylesheet as it stands.
        app = active_app.get(None)
        if app is not None:
            self._css_update_count = app._css_update_count

    def post_message(self, message: Message) -> bool:
        """Queue a message for the screen. A "resume" restyles the screen's widgets only
        if something they are styled by changed while it was away: the stylesheet (a
        theme) or the app's focus (`:focus`/`:blur`, which Textual restyles only on the
        screen in front). Textual restyles every widget of a screen each time it is
        shown, and each widget then asks to be laid out and drawn again: coming back
        to the board of 5,000 items took a restyle, a layout and two more full paints
        after its first (~145 ms of CPU on this machine, against ~50 without).
        A "resume" posted before the screen is mounted (Textual posts two to a new
        mode's screen) never restyles it: its widgets are styled as they mount."""
        if isinstance(message, events.ScreenSuspend):
            self.styled_with = self.style_state()
        elif isinstance(message, events.ScreenResume):
            if not self.is_mounted:
                message.refresh_styles = False
                self._opening_resumes += 1
            elif self.styled_with == self.style_state():
                message.refresh_styles = False
        return super().post_message(message)

    def style_state(self) -> tuple[int, bool]:
        """What a screen's styles depend on beyond its own widgets: the stylesheet's
        version (Textual counts its changes) and whether the app has the focus."""
        app = self.app
        return app._css_update_count, app.app_focus

    @property
    def tpm(self) -> TpmApp:
        """The app, typed (so renames are seen by the type checker)."""
        return cast("TpmApp", self.app)

    @property
    def workspace(self) -> Workspace:
        """The app's workspace."""
        return self.tpm.workspace

    def compose_top(self, waiting: str) -> ComposeResult:
        """The header and the status line (with the timer badge, and a read-only badge
        when nothing may be written: `tpm serve --read-only`)."""
        yield Header(show_clock=False, icon=self.ICON)
        with Horizontal(id="status-bar"):
            yield Static(Content(waiting), id="status-line")
            if read_only_requested() or self.workspace.role_read_only:
                yield Static(Content("read-only"), id="read-only-badge")
            yield TimerBadge()

    def set_status(self, content: Content) -> None:
        """Replace the status line (one line: no layout pass). While a team server does
        not answer, the line says so instead."""
        if not self.workspace.online:
            content = Content.assemble(
                ("reconnecting…", "bold $error"),
                (f" {SERVER_GONE}", "dim"),
            )
        self.query_one("#status-line", Static).update(content, layout=False)

    def connection_changed(self) -> None:
        """The server went away or came back: redraw the status line (what was written
        meanwhile is read by `changed_elsewhere`, which the return also calls)."""
        if self.is_mounted:
            self.refresh_status()
            if not self.workspace.online:
                self.set_status(Content())

    def changed_elsewhere(self) -> None:
        """Another connection wrote to a team database (the server's notification): read
        the screen's data again, if it is shown and not being read already."""
        if self._live is not None:
            self._look_for_changes()
        elif self.ready and not self.stale and self.waiting_for is None:
            self.reload(first=False)

    def _follow_changes(self) -> None:
        """Start looking for commits made elsewhere (once the first data is shown)."""
        # (What this app writes while the screen is in front, the screen reads back
        # itself: after its own write, or as a form over it closes.)
        self._live = self.workspace.watcher(others_only=True)
        if self._live is not None:
            self.set_interval(LOOK_EVERY, self._look_for_changes)

    def _look_for_changes(self) -> None:
        """Read again if anything was committed elsewhere since the last read began. Only
        the screen in front reads (a form over it keeps it as it is, and a screen behind
        another reads when shown again); a change seen while a read or a write is on its
        way is left for the next look, which the read then no longer needs."""
        if self._live is None or not (self.is_current and self._can_act()):
            return
        if self._live.changed():
            self.reload(first=False)
            self.tpm.read_timer()  # a timer started or stopped in another terminal

    def on_unmount(self) -> None:
        """Close the change watcher's connection."""
        if self._live is not None:
            self._live.close()
            self._live = None

    def _badge_read_only(self) -> None:
        """Add the read-only badge once a role is known to only read (after opening)."""
        if self.workspace.role_read_only and not self.query("#read-only-badge"):
            bar = self.query_one("#status-bar", Horizontal)
            badge = Static(Content("read-only"), id="read-only-badge")
            bar.mount(badge, before=bar.query_one(TimerBadge))

    def on_mount(self) -> None:
        """Name the workspace, show the timer, read the data."""
        self.sub_title = self.workspace.name
        self.call_after_refresh(self.tpm.tick, self)
        self.reload(first=True)

    def on_screen_resume(self) -> None:
        """Coming back from another screen shows the timer and fresh figures. The
        "resume" events of the screen's first showing read nothing: the read its mount
        started is on its way (the week, time and roadmap screens read twice)."""
        self.tpm.tick()
        if self._opening_resumes:
            self._opening_resumes -= 1
            return
        self.reload(first=False)

    def reload(self, first: bool) -> None:
        """Read the screen's data again (in a worker)."""

    def failed(self, error: TpmError) -> None:
        """From a worker whose read failed: before the screen ever had data the app
        cannot go on (it leaves, and the command line prints why); afterwards the
        screen keeps what it shows, says what went wrong, and keys go on. A screen built
        ahead and not shown is dropped instead (its first showing builds it anew)."""
        if self.ready:
            self.app.call_from_thread(self._read_failed, error)
        else:
            self.app.call_from_thread(self.tpm.first_read_failed, self, str(error))

    def _read_failed(self, error: TpmError) -> None:
        self.show_error(error)
        self.stale = False
        self._drain()

    def show_error(self, error: TpmError) -> None:
        """Say what went wrong, as plain text, and keep running."""
        if isinstance(error, StorageError):
            self.notify(refusal(error), severity="error", markup=False)
        else:
            self.notify(str(error), severity="warning", markup=False)

    # ------------------------------------------------------------ keys in order

    def expect_data(self) -> None:
        """A read that replaces what is shown is on its way (after a write, or for
        another day or week): keys wait for it, so none acts on a view about to go.
        What was committed elsewhere until now is in that read: a LIVE screen's next
        look counts only what comes after."""
        self.stale = True
        if self._live is not None:
            self._live.changed()

    def loaded(self) -> None:
        """Data is on screen (the first, or what `expect_data` waited for): keys
        pressed meanwhile run now, in order. The first time, the running timer is
        shown with it."""
        if not self.ready:
            self.tpm.first_data_shown()
            self._badge_read_only()
            if self.LIVE:
                self._follow_changes()
        self.ready = True
        self.stale = False
        self._drain()

    def _can_act(self) -> bool:
        return self.ready and not self.stale and self.waiting_for is None

    def act(self, action: Callable[[], None], opens_form: bool = False) -> None:
        """Run a key's action now, or after what is still in flight."""
        if self._can_act() and not self._pending:
            self._run(action)
            return
        self._pending.append(action)
        if opens_form:
            self._forms_waiting.add(id(action))
        if self.waiting_for is not None:
            self._note_waiting()
        elif self._waiting_since is None:
            self._waiting_since = time.monotonic()
            self.set_timer(WAIT_NOTE_AFTER, self._note_waiting)

    def form_waiting(self) -> bool:
        """Whether a key action that opens a form waits its turn (the app then holds
        the keys typed after it unread)."""
        return bool(self._forms_waiting)

    def note_waiting(self) -> None:
        """Say in the status line what keys wait for, if they wait."""
        self._note_waiting()

    def _run(self, action: Callable[[], None]) -> None:
        """Run one key's action; a refusal from below becomes a message, never a crash."""
        try:
            action()
        except TpmError as error:
            self.show_error(error)

    def _drain(self) -> None:
        while self._pending and self._can_act():
            action = self._pending.popleft()
            self._forms_waiting.discard(id(action))
            self._run(action)
        if not self._pending:
            self._waiting_since = None

    def _note_waiting(self) -> None:
        if self._waiting_since is None:
            return
        keys = len(self._pending) + self.tpm.keys_held
        what = self.waiting_for or ("reading" if self.ready else "opening the workspace")
        self.set_status(
            Content.assemble(
                (f"{what}…", "bold $warning"),
                (f" {keys} key{'s' if keys != 1 else ''} waiting" if keys else "", "dim"),
            )
        )

    # ------------------------------------------------------------ writes

    @property
    def db(self) -> Database:
        """The open database; its writes give up quickly when another program holds
        the lock (the TUI never freezes for the busy timeout)."""
        return self.workspace.db

    def save(self, label: str, write: Callable[[Database], T], done: Callable[[T], None]) -> None:
        """Run one write and hand its result to `done` (on the UI thread). It runs at
        once when the database is free; if another program holds the write lock it is
        retried in the background for up to RETRY_FOR seconds while the status line
        says so and later keys wait their turn. A refusal is shown, never raised; on a
        team server that is known to refuse (a read-only role, or gone) nothing is
        tried."""
        if self.workspace.role_read_only or not self.workspace.online:
            message = READ_ONLY_ROLE if self.workspace.role_read_only else OFFLINE
            self.notify(message, severity="error", markup=False)
            return
        try:
            result = write(self.db)
        except DatabaseBusy:
            self.waiting_for = f"database busy (another program is writing): retrying the {label}"
            self._waiting_since = self._waiting_since or time.monotonic()
            self._note_waiting()
            self.run_worker(
                functools.partial(self._retry, label, write, done),
                thread=True,
                group="write-retry",
            )
            return
        except TpmError as error:
            self.show_error(error)
            return
        done(result)

    def _retry(self, label: str, write: Callable[[Database], T], done: Callable[[T], None]) -> None:
        """In a worker: try the write again with the database's full patience."""
        deadline = time.monotonic() + RETRY_FOR
        patient = self.workspace.patient_db
        while True:
            try:
                result = write(patient)
            except DatabaseBusy as error:
                if time.monotonic() < deadline:
                    continue
                self.app.call_from_thread(self._write_finished, None, error, label)
                return
            except TpmError as error:
                self.app.call_from_thread(self._write_finished, None, error, label)
                return
            self.app.call_from_thread(self._write_finished, functools.partial(done, result))
            return

    def _write_finished(
        self, then: Callable[[], None] | None, error: TpmError | None = None, label: str = ""
    ) -> None:
        self.waiting_for = None
        if error is not None:
            if isinstance(error, DatabaseBusy):
                self.notify(
                    f"Gave up on the {label}: {error} — nothing changed",
                    severity="error",
                    markup=False,
                )
            else:
                self.show_error(error)
        elif then is not None:
            then()
        self._drain()
        self.refresh_status()

    def refresh_status(self) -> None:
        """Redraw the screen's own status line (after a wait note)."""
