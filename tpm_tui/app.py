"""TpmApp: the screens as modes, the keys every screen shares, and the workspace."""

from __future__ import annotations

import asyncio
import functools
import gc
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import AwaitMount

from tpm_tui.errors import TpmError
from tpm_tui.screens.ahead import BuildAhead, ReadAhead
from tpm_tui.screens.base import SERVER_GONE, WorkspaceScreen
from tpm_tui.screens.board import BoardScreen
from tpm_tui.screens.help import HelpScreen
from tpm_tui.screens.hidden import mount_hidden, prepare_hidden
from tpm_tui.timekeeper import TimeKeeper
from tpm_tui.widgets.timer_badge import TimerBadge
from tpm_tui.workspace import Workspace

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.driver import Driver

    from tpm_tui.db import Database
    from tpm_tui.errors import TimerNeedsAnswer
    from tpm_tui.services.timetrack import EntryView

# Closing the terminal (HUP) or `kill` (TERM) ends the app as `q` does: the terminal
# gets its modes back (raw mode, alternate screen, mouse, cursor). Every change is
# saved the moment it is made, so there is nothing else to keep.
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)

# A key that has not settled after this long no longer holds the keys behind it (a
# widget that never finishes with a key must not freeze the keyboard).
KEY_SETTLE_LIMIT = 10.0  # seconds (a cold form opens in seconds on a loaded machine)

# The collector rests from the start of a run until the first screen's data is on
# screen, at most this long (a first read that never comes must not stop it for good).
COLLECTOR_REST = 2.0  # seconds

# How long leaving waits for worker threads still inside the database before closing it.
CLOSE_WAIT = 2.0  # seconds (a read takes milliseconds; a write retry can take 30 s)

P = ParamSpec("P")
T = TypeVar("T")


class WorkerThreads(ThreadPoolExecutor):
    """The threads the app's thread workers run in (the event loop's default executor),
    counting the work in flight: the database is closed only once none is left, since
    closing a connection while another thread is inside SQLite crashes the process
    (SIGSEGV), and a worker cancelled as the app leaves keeps running to its end."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="tpm-worker")
        self._count_lock = threading.Lock()
        self._in_flight = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run `fn` in a thread, counted until it returns."""
        with self._count_lock:
            self._in_flight += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[Any] | None = None) -> None:
        with self._count_lock:
            self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        """Work submitted and not finished (running or queued)."""
        return self._in_flight


def screen_class(mode: str) -> type[WorkspaceScreen]:
    """The screen class of a mode (imported on first use)."""
    if mode == "board":
        return BoardScreen
    if mode == "roadmap":
        from tpm_tui.screens.roadmap import RoadmapScreen

        return RoadmapScreen
    if mode == "time":
        from tpm_tui.screens.time import TimeScreen

        return TimeScreen
    if mode == "week":
        from tpm_tui.screens.week import WeekScreen

        return WeekScreen
    if mode == "sprint":
        from tpm_tui.screens.sprint import SprintScreen

        return SprintScreen
    if mode == "goals":
        from tpm_tui.screens.goals import GoalsScreen

        return GoalsScreen
    raise KeyError(mode)


def _palette() -> type[Provider]:
    from tpm_tui.screens.palette import TpmCommands

    return TpmCommands


class TpmApp(App[None]):
    """The tpm terminal workspace. It takes its workspace (database location and clock)
    as an argument, so the CLI, `tpm demo` and the tests build it the same way."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "tpm"
    # The board is the usual first screen; the others are imported when first shown,
    # so the first paint does not wait for them.
    MODES: ClassVar = {
        "board": BoardScreen,
        "roadmap": lambda: screen_class("roadmap")(),
        "time": lambda: screen_class("time")(),
        "week": lambda: screen_class("week")(),
        "sprint": lambda: screen_class("sprint")(),
        "goals": lambda: screen_class("goals")(),
    }
    COMMANDS = App.COMMANDS | {lambda: _palette()}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "quick_log", "Log time"),
        Binding("s", "start_timer", "Timer"),
        Binding("S", "stop_timer", "Stop", key_display="S"),
        # Screen switching and quit are listed by ? rather than the footer, which has
        # the current screen's keys to show (and is rebuilt on every switch).
        Binding("1", "switch_mode('board')", "Board", show=False),
        Binding("2", "switch_mode('roadmap')", "Roadmap", show=False),
        Binding("3", "switch_mode('time')", "Time", show=False),
        Binding("4", "switch_mode('week')", "Week", show=False),
        Binding("5", "switch_mode('sprint')", "Sprint", show=False),
        Binding("6", "switch_mode('goals')", "Goals", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(self, workspace: Workspace, mode: str = "board") -> None:
        # Textual composes the screen of its default mode first. The start mode is made
        # that default, its screen coming from `get_default_screen` (the mode joins
        # MODES on mount): the app's CSS is then parsed once. Switching to the start
        # mode from an empty default screen parsed all of it three more times (a new
        # mode's screen refreshes the CSS twice, and each refresh re-parses every rule).
        self.DEFAULT_MODE = mode  # type: ignore[misc]  # (read by App.__init__ only)
        super().__init__()
        self._modes.pop(mode)
        self.workspace = workspace
        self.start_mode = mode
        self.failure: str | None = None
        self.sub_title = workspace.name
        self.timekeeper = TimeKeeper(workspace)
        self.timer: EntryView | None = None  # the running timer, as last read
        self.timer_known = False  # whether it has been read at all
        self._keys: deque[events.Key] = deque()  # typed, not yet routed
        self._key_in_flight: events.Key | None = None
        self._key_routed_at = 0.0
        self._key_check_due = False
        self.read_ahead = ReadAhead(self)  # the sprint and goals screens, read while idle
        self.worker_threads = WorkerThreads()
        self._collector_was: bool | None = None  # whether it ran before start-up paused it
        # A team database tells of every change (LISTEN/NOTIFY, from a thread of its
        # own): the messages bring it to the UI thread (post_message is thread-safe).
        workspace.listen(
            lambda: self.post_message(self.ServerChanged()),
            lambda online: self.post_message(self.ServerState(online)),
        )

    class ServerChanged(Message):
        """Another connection wrote to the team database."""

    class ServerState(Message):
        """The team server went away (`online` False) or came back."""

        def __init__(self, online: bool) -> None:
            super().__init__()
            self.online = online

    def on_tpm_app_server_changed(self, _message: ServerChanged) -> None:
        """Show a colleague's change: the screen in front reads again (the others when
        they are shown again), and the timer badge too."""
        if not self.screen_stack:  # the app is leaving: nothing is left to show it on
            return
        screen = self.screen
        # (A screen being taken down, as the app leaves, stops running before its
        # widgets go: it would read a cursor from widgets already gone.)
        if isinstance(screen, WorkspaceScreen) and screen.is_running:
            screen.changed_elsewhere()
        self.read_timer()

    def on_tpm_app_server_state(self, message: ServerState) -> None:
        """Say "reconnecting…" while the server is gone; back, say nothing more (the
        return counts as a change: everything is read again)."""
        for screen in self.screen_stack:
            if isinstance(screen, WorkspaceScreen):
                screen.connection_changed()
        if not message.online:
            self.notify(f"Reconnecting… {SERVER_GONE}", severity="error", markup=False)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Show a mode's screen; a first showing before the app sat idle has its data
        read at once, beside its building (see ReadAhead.read_now)."""
        self.read_ahead.read_now(mode)
        return super().switch_mode(mode)

    def on_build_ahead(self, message: BuildAhead) -> None:
        """Build a mode's screen ahead, not shown, or do a step to it (see
        screens/ahead.py), if the app is still idle: the worker's look is checked again
        here, as a key may have come meanwhile."""
        screen = message.screen
        if screen is not None and screen.is_attached:
            # In turn with what the screen has queued (the layouts its widgets asked
            # for): the step then sees them, and they are not left for its showing.
            screen.call_later(self._build_ahead, message)
        else:
            self._build_ahead(message)

    def _build_ahead(self, message: BuildAhead) -> None:
        try:
            screen = message.screen
            if not self.read_ahead.idle(strict=True):
                message.busy = True
            elif screen is None:
                if message.mode in self.MODES:
                    message.screen = mount_hidden(self, message.mode)
            elif screen.is_attached and not screen.is_current:  # (not shown meanwhile)
                message.done_step = prepare_hidden(screen, message.step)
                if message.done_step and message.step == "style":
                    assert isinstance(screen, WorkspaceScreen)
                    screen.styled_with = screen.style_state()
        finally:
            message.done.set()

    def on_load(self) -> None:
        """Thread workers run in threads the app counts (see WorkerThreads)."""
        self._pause_collector()  # (a test's pilot starts here, not in run_async)
        asyncio.get_running_loop().set_default_executor(self.worker_threads)

    # Start-up makes some 100,000 objects that live as long as the app (modules, the
    # stylesheet, widgets, the data shown, the drawn lines): the collector's passes
    # walked them over and over, finding next to nothing to free (at 500 cards some
    # 60 ms of CPU before the cards showed, two full passes among them). It rests from
    # the start of a run until the first data has been drawn.

    def _pause_collector(self) -> None:
        if self._collector_was is None:
            self._collector_was = gc.isenabled()
            gc.freeze()  # what the imports made
            gc.disable()

    def _resume_collector(self) -> None:
        """The collector runs again as it did before start-up (once)."""
        if self._collector_was:
            gc.enable()
        self._collector_was = False

    def _first_data_drawn(self) -> None:
        # What start-up made (modules, widgets, the data shown) lives as long as the app:
        # frozen, it is no longer walked by every full collection, which took 100 ms and
        # more with thousands of items read (a pause in the middle of a key).
        gc.freeze()
        self._resume_collector()
        self.read_ahead.start()

    async def run_async(self, **options: Any) -> None:
        """Run the app, leaving cleanly on TERM and HUP from before the terminal is
        touched until it is given back (a test runner's pilot does not come here, so
        its own signals are left alone)."""
        self._pause_collector()  # before the stylesheet is read
        try:
            if options.get("headless"):
                return await super().run_async(**options)
            # Installed before the driver switches the terminal to raw mode and the
            # alternate screen: a signal during start-up is an exit message like any
            # other, handled once the message loop runs (or, before the driver starts,
            # it stops the driver from starting at all).
            loop = asyncio.get_running_loop()
            for number in EXIT_SIGNALS:
                loop.add_signal_handler(number, self._exit_on_signal, number)
            try:
                return await super().run_async(**options)
            finally:
                for number in EXIT_SIGNALS:
                    loop.remove_signal_handler(number)
        finally:
            self._resume_collector()  # (an app that ended before its first data)

    def get_default_screen(self) -> WorkspaceScreen:
        """The screen the app opens on: the start mode's."""
        return screen_class(self.start_mode)()

    def on_mount(self) -> None:
        """The start mode becomes a mode like the others (its screen is the one open);
        keep the timer badge ticking."""
        self.add_mode(self.start_mode, self.MODES[self.start_mode])
        # The app reads its messages once its screen has mounted, as it does for a mode
        # switched to (Textual does not wait so for the default mode's screen): an exit
        # handled meanwhile took the screen down under widgets still mounting (the
        # Header's title, queued on the app, found no HeaderTitle).
        self.call_next(AwaitMount(self.screen, [self.screen]))
        self.set_timer(COLLECTOR_REST, self._resume_collector)
        self.set_interval(1.0, self.tick)
        self.set_interval(5.0, self.read_timer)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux one whose output survives the
        terminal going away (see terminal_out.py)."""
        base = super().get_driver_class()
        if base.__name__ != "LinuxDriver":
            return base  # (the headless, web or Windows driver: left as it is)
        from tpm_tui.terminal_out import surviving_driver

        driver: type[Driver] = surviving_driver(base)
        return driver

    def _exit_on_signal(self, number: int) -> None:
        if not self.is_running:
            self.exit(return_code=128 + number)  # (the terminal is then never touched)
            return
        # In turn with the app's messages, which it reads once its first screen has
        # mounted (see on_mount). An exit asked for at once stops Textual mounting any
        # widget, and left a screen still mounting half-built under widgets that expect
        # their children: the screen's first read found no filter line, Textual's
        # Header no HeaderTitle (a traceback, and a coroutine never awaited).
        self.call_later(self.exit, return_code=128 + number)

    # ------------------------------------------------------------ keys, one at a time

    # Textual routes each key to the focus of the moment it leaves the app's queue, but
    # a key's effect lands later: its binding runs once the key has bubbled up to the
    # app, a focus() is deferred, a pushed screen mounts afterwards. Keys arriving at
    # once (a fast typist, a paste, a macro) were routed before the keys ahead of them
    # had acted: `n bug` lost "bug", `/ now` opened the New item form, Tab then `~`
    # typed into the field just left. So a key is routed only when the one before it
    # has been handled and what it set off has settled.

    async def on_event(self, event: events.Event) -> None:
        """Typed keys wait their turn (see above); every other event goes on at once."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys.append(event)
            await self._route_keys()
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key that bubbled up to the app has been handled (its binding has run)."""
        if event is self._key_in_flight:
            self._key_in_flight = None
            self._check_keys_soon()

    def _key_settled(self) -> bool:
        """Whether the key before has been handled and nothing it set off is pending:
        the screen mounted, and no message waiting in the app or in the screen (a
        deferred focus, a Submitted, a dismiss)."""
        key = self._key_in_flight
        if time.monotonic() - self._key_routed_at > KEY_SETTLE_LIMIT:
            return True
        if key is not None and not key._stop_propagation:
            return False
        screen = self.screen
        if not screen.is_mounted or self._message_queue.qsize():
            return False
        if isinstance(screen, WorkspaceScreen) and screen.form_waiting():
            # An earlier key's form waits for the screen's data: the keys behind it
            # wait unread (they belong to the form).
            return False
        # (The message queues are Textual's own; there is no public "idle" to ask.)
        return not any(node._message_queue.qsize() for node in screen.walk_children(with_self=True))

    async def _route_keys(self) -> None:
        if not self._screen_stack:  # the app is leaving: nothing is left to type into
            self._keys.clear()
            return
        while self._keys and self._key_settled():
            key = self._keys.popleft()
            self._key_in_flight = key
            self._key_routed_at = time.monotonic()
            await super().on_event(key)  # a priority binding, or to the focused widget
            if not key.is_forwarded:  # handled by a priority binding: done
                self._key_in_flight = None
        if self._keys:
            screen = self.screen
            if isinstance(screen, WorkspaceScreen):
                screen.note_waiting()  # "… 3 keys waiting" counts these too
            self._check_keys_soon()

    def _check_keys_soon(self) -> None:
        if not self._key_check_due:
            self._key_check_due = True
            self.set_timer(0.01, self._check_keys)

    async def _check_keys(self) -> None:
        self._key_check_due = False
        await self._route_keys()  # (which drops the keys once the app is leaving)

    @property
    def keys_held(self) -> int:
        """Keys typed and not yet routed (they wait for the keys before them)."""
        return len(self._keys)

    @property
    def last_key_at(self) -> float:
        """When the last typed key was routed (time.monotonic; 0.0 before any)."""
        return self._key_routed_at

    # ------------------------------------------------------------ the timer badge

    @work(thread=True, exclusive=True, group="timer")
    def read_timer(self) -> None:
        """Read the running timer (it may have been started in another terminal)."""
        if self.failure is not None:
            return
        try:
            timer = self.timekeeper.running()
        except TpmError:
            return
        self.call_from_thread(self._set_timer, timer)

    def _set_timer(self, timer: EntryView | None) -> None:
        self.timer = timer
        self.timer_known = True
        self.tick()

    def timer_read(self, timer: EntryView | None) -> None:
        """The running timer as a screen's worker read it with the screen's data."""
        self._set_timer(timer)

    def first_data_shown(self) -> None:
        """A screen's first data is going on screen: the running timer goes with it
        (read here, one indexed row, rather than a worker later: a timer started in
        another terminal is never shown as missing)."""
        self.call_after_refresh(self._first_data_drawn)
        if self.timer_known:
            self.tick()
            return
        try:
            self._set_timer(self.timekeeper.running())
        except TpmError:
            self.read_timer()  # the next read says what is wrong, or shows it

    def tick(self, screen: Screen[Any] | None = None) -> None:
        """Hand the elapsed time to the badges of the current screen, or of `screen` (one
        built ahead: its badge is drawn before it is shown, not as it is shown, which
        would lay the screen out twice more). They stay blank until the timer has been
        read: "no timer" would be a guess."""
        if not self.timer_known or not self.screen_stack:
            return  # (no screen: the app is leaving, and the clock's tick came late)
        timer = self.timer
        for badge in (screen or self.screen).query(TimerBadge):
            if timer is None:
                badge.show_timer(None)
            else:
                elapsed = self.workspace.clock.now() - timer.started_at
                badge.show_timer(timer.category.value, timer.note, int(elapsed.total_seconds()))

    # ------------------------------------------------------------ time keys

    def _done(self, message: str | None) -> None:
        if message:
            self.notify(message, markup=False)
            self.read_timer()

    def action_quick_log(self) -> None:
        """t: log time in one line."""
        from tpm_tui.screens.timekeeping import QuickLogScreen

        keeper = self.timekeeper
        try:
            history, notes = keeper.history()
        except TpmError:  # the line works without recall; saving says what is wrong
            history, notes = [], []
        self.push_screen(
            QuickLogScreen(keeper.quick_check, keeper.quick_save, history, notes), self._done
        )

    def action_start_timer(self) -> None:
        """s: start a timer on a category."""
        from tpm_tui.screens.timekeeping import StartTimerScreen, StopTimerScreen

        keeper = self.timekeeper

        def ask(line: str, asked: TimerNeedsAnswer) -> StopTimerScreen:
            # The answer to the question starts the timer of `line`.
            answered = functools.partial(keeper.start_save, line)
            return StopTimerScreen(
                keeper.question(asked.timer), keeper.stop_check, answered, "esc goes back"
            )

        self.push_screen(StartTimerScreen(keeper.start_check, keeper.start_save, ask), self._done)

    def action_stop_timer(self) -> None:
        """S: stop the running timer (asking first if it was probably forgotten)."""
        from tpm_tui.screens.timekeeping import StopTimerScreen

        keeper = self.timekeeper
        try:
            question = keeper.stop_question()
        except TpmError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        if question is not None:
            self.push_screen(
                StopTimerScreen(question, keeper.stop_check, keeper.stop_save), self._done
            )
            return
        screen = self.screen
        if isinstance(screen, WorkspaceScreen):

            def stopped(message: str | None) -> None:
                # The screen reads its data again: the time screen's row of the timer
                # ends, the week's totals stop counting (a modal's answer does the same
                # by resuming the screen).
                self._done(message)
                screen.reload(first=False)

            # In turn with the screen's keys, and retried while another program writes.
            screen.act(lambda: screen.save("stop of the timer", self._stop_now, stopped))
            return
        try:
            self._done(self._stop_now(self.workspace.db))
        except TpmError as error:
            self.notify(str(error), severity="warning", markup=False)

    def _stop_now(self, db: Database) -> str:
        from tpm_tui.services.timetrack import stop_timer

        return stop_timer(db, self.workspace.clock).describe()

    def first_read_failed(self, screen: Screen[Any], message: str) -> None:
        """A screen's first read failed: shown, the app leaves (`fail`); built ahead
        and not shown (the app is in use on another screen), the screen is dropped, and
        its mode's first switch builds it anew, as if it had never been built."""
        mode = next((m for m in self.MODES if type(screen) is screen_class(m)), None)
        if screen.is_current or mode is None or mode == self.current_mode:
            self.fail(message)
            return
        self.remove_mode(mode)
        self.add_mode(mode, self.MODES[mode])

    async def action_quit(self) -> None:
        """q, ctrl+q, the palette's Quit: leave at once, unless a screen holds unsaved
        text (an editor, the retro note, a form): then ask (a second ctrl+q quits).
        TERM and HUP do not come here (see _exit_on_signal)."""
        from tpm_tui.screens.item_form import quit_asking

        quit_asking(self, self.unsaved_changes())

    def unsaved_changes(self) -> str | None:
        """What quitting now would throw away: the first screen, in any mode's stack,
        whose `unsaved_changes()` names something; None when nothing is unsaved."""
        # (Textual keeps one screen stack per mode; a mode not shown keeps its screens.)
        for stack in self._screen_stacks.values():
            for screen in reversed(stack):
                unsaved = getattr(screen, "unsaved_changes", None)
                what = unsaved() if callable(unsaved) else None
                if isinstance(what, str):
                    return what
        return None

    def fail(self, message: str) -> None:
        """Leave with an error the command line prints (e.g. a database it cannot open)."""
        self.failure = message
        self.exit(return_code=1)

    def action_help(self) -> None:
        """Show every key of the current screen, with what it does."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for owner in (self.screen, self):
            for binding in owner.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = ", ".join(
                    self.get_key_display(Binding(k, "")) for k in binding.key.split(",")
                )
                if keys not in seen:
                    seen.add(keys)
                    rows.append((keys, binding.description))
        rows.append(("ctrl+p", "Command palette: every action, and jump to an item"))
        self.push_screen(HelpScreen(self.screen.__class__.__doc__ or "", rows))

    async def on_unmount(self) -> None:
        """Release the database once no worker thread is inside it. One still there
        after CLOSE_WAIT (a write retrying against another program's lock) keeps it
        open: the process's end releases it safely, where closing would not."""
        self.read_ahead.close()
        deadline = time.monotonic() + CLOSE_WAIT
        while self.worker_threads.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        if not self.worker_threads.in_flight:
            self.workspace.close()
        self._resume_collector()
        gc.unfreeze()  # what start-up froze (the app may not be the process's last act)
