"""The sprint screen: planning (the ranked backlog beside the sprint, `>` and `<` move
an item between them, against the forecast and the capacity), the burndown and the
velocity, the stand-up, and the retro note. `[` `]` switch sprints."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from tpm_tui.errors import TpmError
from tpm_tui.screens.base import WorkspaceScreen, opens_form, queued, unless_leaving
from tpm_tui.widgets.burndown import BurndownChart, capacity_bar, velocity_lines
from tpm_tui.widgets.kanban_column import CardList
from tpm_tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from datetime import date

    from textual.widgets import TextArea

    from tpm_tui.db import Database
    from tpm_tui.screens.ahead import Ahead
    from tpm_tui.services.backlog import ItemView
    from tpm_tui.services.sprints import KnownItems, Planning, Review, SprintReport
    from tpm_tui.services.standup import Standup
    from tpm_tui.services.team import Capacity
    from tpm_tui.watch import Watcher


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


VIEWS = {"plan": "planning", "charts": "burndown", "standup": "stand-up", "retro": "retro"}


def _view(view: str) -> tuple[Widget, list[Widget]]:
    """The container of a view other than planning, and its widgets."""
    if view == "charts":
        return Vertical(id="charts"), [
            Static("", id="burndown-title"),
            BurndownChart(id="burndown"),
            Static("", id="burndown-legend"),
            Static("", id="velocity"),
        ]
    if view == "standup":
        return VerticalScroll(id="standup"), [Static("", id="standup-text")]
    from textual.widgets import TextArea

    return Vertical(id="retro"), [
        TextArea(language="markdown", id="retro-note", soft_wrap=True),
        Static("", id="retro-hint"),
    ]


class CloseSprint(ModalScreen[int | None | bool]):
    """Close a sprint: its figures, and where its unfinished items go (the next sprint
    or the backlog). Dismissed with the target sprint id, None for the backlog, or
    False when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, report: SprintReport, following: tuple[int, str] | None) -> None:
        super().__init__()
        self.report = report
        self.following = following

    def compose(self) -> ComposeResult:
        from tpm_tui.services.sprints import summary_line

        r = self.report
        unfinished = [i for i in r.items if i.done_at is None]
        points = sum(i.points or 0 for i in unfinished)
        with Vertical(id="close-box", classes="line-modal"):
            yield Static(Content.assemble((f"Close {r.sprint.name}", "bold")), id="close-title")
            yield Static(Content(summary_line(r)), id="close-summary")
            yield Static(
                Content(
                    f"Velocity {r.done} (done points). {len(unfinished)} unfinished item"
                    f"{'s' if len(unfinished) != 1 else ''} ({points} pts) go to:"
                ),
                id="close-question",
            )
            options = []
            if self.following is not None:
                options.append(Option(f"the next sprint, {self.following[1]}", id="next"))
            options.append(Option("the backlog", id="backlog"))
            yield OptionList(*options, id="close-options")
            yield Static(Content("enter closes it · esc cancels"), id="close-hint")

    def on_mount(self) -> None:
        """The choice has the keys."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "next" and self.following is not None:
            self.dismiss(self.following[0])
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        """Leave it open."""
        self.dismiss(False)


class CapacityShown(ModalScreen[None]):
    """How a sprint's capacity was made, person by person: each one's working days, days
    away and focus, the points per person-day and the sprints they were learned from."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,c", "close", "Close")]

    def __init__(self, sprint_name: str, capacity: Capacity) -> None:
        super().__init__()
        self.sprint_name = sprint_name
        self.capacity = capacity

    def compose(self) -> ComposeResult:
        cap = self.capacity
        total = "not known" if cap.points is None else f"{cap.points} pts"
        with Vertical(id="capacity-box", classes="line-modal"):
            yield Static(
                Content.assemble((f"Capacity of {self.sprint_name}: {total}", "bold")),
                id="capacity-title",
            )
            yield Static(
                Content("\n").join(Content(line) for line in cap.explain()), id="capacity-lines"
            )
            yield Static(
                Content(
                    "tpm team add / tpm team away change it; tpm sprint edit --capacity sets it"
                    " by hand · esc closes"
                ),
                id="capacity-hint",
            )

    def action_close(self) -> None:
        """Back to the sprint."""
        self.dismiss(None)


class SprintScreen(WorkspaceScreen):
    """A sprint: plan it, follow its burndown and the stand-up, close it, write its retro."""

    AUTO_FOCUS = ""
    ICON = "◷"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "sprint(-1)", "Previous sprint", key_display="["),
        Binding("right_square_bracket", "sprint(1)", "Next sprint", key_display="]"),
        Binding("p", "view('plan')", "Plan"),
        Binding("b", "view('charts')", "Burndown"),
        Binding("d", "view('standup')", "Stand-up"),
        Binding("r", "view('retro')", "Retro"),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("left,h", "side(0)", "Backlog side", show=False),
        Binding("right,l", "side(1)", "Sprint side", show=False),
        Binding("greater_than_sign", "pull", "Into sprint", key_display=">"),
        Binding("less_than_sign", "send_back", "Back to backlog", key_display="<"),
        Binding("K,shift+up", "rank(-1)", "Rank up", key_display="K"),
        Binding("J,shift+down", "rank(1)", "Rank down", key_display="J"),
        Binding("C", "close_sprint", "Close sprint", key_display="C"),
        Binding("c", "capacity", "Capacity"),
        Binding("ctrl+s", "save_retro", "Save retro", show=False),
        Binding("ctrl+b", "action_item", "Action → backlog", show=False),
        Binding("escape", "leave_note", "Leave the note", show=False),
    ]

    class Loaded(Message):
        """A sprint read off the UI thread (None: there is no sprint yet)."""

        def __init__(self, planning: Planning | None, keep: int | None) -> None:
            super().__init__()
            self.planning = planning
            self.keep = keep

    class StandupRead(Message):
        """The stand-up read off the UI thread."""

        def __init__(self, view: Standup) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.planning: Planning | None = None
        self.sprint_id: int | None = None
        self.view = "plan"
        self.side = 0  # 0: the backlog list, 1: the sprint's
        self._retro_for: int | None = None  # the sprint whose note the editor holds
        self._note_loaded = ""  # the text put in the editor (what was typed differs)
        self._own: Database | None = None  # this screen's own connection (see `db`)
        self._version: int | None = None  # its data_version at the last look
        self._watcher: Watcher | None = None  # a team server's announced changes
        self._read_day: date | None = None  # "today" when the sprint was last read
        # The report the burndown view was drawn from: drawn when that view is shown,
        # not on every read (a hidden view's text still costs a layout of the screen).
        self._charts_of: SprintReport | None = None
        self._known: KnownItems | None = None  # the backlog's rows read last (in workers)

    # ------------------------------------------------------------ set-up

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Reading the sprint…")
        with ContentSwitcher(initial="plan", id="sprint-views"), Vertical(id="plan"):
            yield Static("", id="sprint-goal")
            yield Static("", id="sprint-bar")
            yield Static("", id="sprint-capacity")
            with Horizontal(id="sprint-lists"):
                with Vertical(classes="sprint-side -current", id="side-backlog"):
                    yield Static("", classes="sprint-side-title", id="backlog-title")
                    yield CardList(id="sprint-backlog")
                with Vertical(classes="sprint-side", id="side-sprint"):
                    yield Static("", classes="sprint-side-title", id="items-title")
                    yield CardList(id="sprint-items")
        yield KeyBar()

    def _show_view(self, view: str) -> None:
        """Make `view` the one shown, building it the first time: the burndown, the
        stand-up and the note editor (tree-sitter Markdown) are not made, styled and
        mounted with the screen, only when first shown (they were over a third of
        the UI thread's work in the screen's first opening)."""
        switcher = self.query_one(ContentSwitcher)
        try:
            switcher.get_child_by_id(view)
        except NoMatches:
            box, widgets = _view(view)
            box.display = False
            switcher.mount(box)
            box.mount(*widgets)  # into the box itself: they can be queried at once
        switcher.current = view

    def reload(self, first: bool) -> None:
        """Read the sprint (the running one at first), again when coming back; while
        shown, a change made elsewhere (`tpm sprint add` in a terminal) is read within
        a second."""
        if first:
            self.set_interval(1.0, self._poll_changes)
            if not self._show_read_ahead():
                self.read(self.sprint_id, ahead=True)
        elif self.ready and (self._changed() or self._read_day != self.workspace.clock.today()):
            self.read(self.sprint_id, self._current_id())
        # else: the first read is still on its way, or what is shown is still true

    def _show_read_ahead(self) -> bool:
        """Show the sprint as the app read it ahead while it sat idle, if that read is
        done and still true (drawn with the screen's first paint: no read, no empty
        screen first)."""
        ahead = self.tpm.read_ahead.take("sprint", wait=False)
        if ahead is None:
            return False
        self._changed()  # the baseline first: a commit after it reads as a change
        if not self._adopt(ahead, self.workspace.clock.today()):
            return False
        self._read_day = ahead.day
        self.on_sprint_screen_loaded(self.Loaded(self._known_planning(ahead.data), None))
        return True

    def _adopt(self, ahead: Ahead, today: date) -> bool:
        """Keep the backlog rows a read ahead converted (worth having even if the read
        is out of date); whether its sprint is still true."""
        from tpm_tui.services.sprints import KnownItems

        if isinstance(ahead.known, KnownItems):
            self._known = ahead.known
        return ahead.still_true(today)

    @staticmethod
    def _known_planning(data: object) -> Planning | None:
        from tpm_tui.services.sprints import Planning

        assert data is None or isinstance(data, Planning)
        return data

    @property
    def db(self) -> Database:
        """This screen's own connection to the workspace, for its writes (impatient, as
        the workspace's): SQLite's data_version on it moves for every commit but its
        own, so a write this screen made and showed itself is not read back as a
        change (thousands of backlog rows a second after each `>`), while another
        screen's or another program's still is."""
        if self._own is None:
            from tpm_tui.db import Database

            shared = self.workspace.db
            if not shared.is_sqlite:  # no data_version to ask: nothing to gain
                return shared
            self._own = Database(
                shared.location, shared.file, busy_ms=shared.busy_ms, alchemy=shared.uses_alchemy
            )
        return self._own

    def _changed(self) -> bool:
        """Whether another connection committed since the last look (on a server: what
        its announcements said; always when SQLite cannot be asked: reading again says
        what is wrong).
        Before the workspace is open (the app started on this screen: its first read
        opens it) no look is taken, so the first look after says "changed"."""
        if not self.workspace.is_open:
            return True
        db = self.db
        if not db.is_sqlite:  # a team server announces changes (LISTEN/NOTIFY)
            if self._watcher is None:
                self._watcher = self.workspace.watcher()
                return True
            return self._watcher.changed()
        try:
            version = db.data_version()
        except TpmError:
            self._version = None
            return True
        changed, self._version = version != self._version, version
        return changed

    def on_unmount(self) -> None:
        """Close this screen's own connection and its watcher."""
        if self._own is not None:
            self._own.close()
        if self._watcher is not None:
            self._watcher.close()

    def changed_elsewhere(self) -> None:
        """A colleague's change on a team server: read as the poll would, at once."""
        self._poll_changes()

    def _poll_changes(self) -> None:
        if not (self.is_current and self.ready and not self.stale and self.waiting_for is None):
            return
        if self._changed():
            self.read(self.sprint_id, self._current_id())

    def _current_id(self) -> int | None:
        item = self._current_list().highlighted_item()
        return item.id if item is not None else None

    def read(
        self,
        sprint_id: int | None,
        keep: int | None = None,
        same: bool = False,
        backlog: tuple[ItemView, ...] | None = None,
        touched: tuple[int, ...] = (),
        ahead: bool = False,
    ) -> None:
        """Read a sprint afresh; keys wait until it is on screen. `same`: the backlog
        shown is kept if the database did not change since it was read (switching
        sprints: reading thousands of backlog items again would be most of the cost).
        `backlog`: the backlog as this screen's own write left it (`>`), or as it was
        before the write, with the items it `touched` (`<`, a retro's action item) to
        read alone; either only if nothing else changed the database meanwhile.
        `ahead`: the screen's first read, which takes the app's read ahead if one is
        on its way (rather than reading twice)."""
        changed = self._changed()
        kept: tuple[ItemView, ...] | None = None
        if backlog is not None and not changed:
            kept = backlog
        elif same and not changed and self.planning is not None:
            kept = self.planning.candidates
        self._read_day = self.workspace.clock.today()
        self.expect_data()
        self.load(sprint_id, keep, kept, touched if kept is not None else (), ahead)

    # A description of its own: the default one spells out every argument (thousands of
    # backlog items written out on each switch).
    @work(thread=True, exclusive=True, group="sprint-load", description="read the sprint")
    def load(
        self,
        sprint_id: int | None,
        keep: int | None = None,
        candidates: tuple[ItemView, ...] | None = None,
        touched: tuple[int, ...] = (),
        ahead: bool = False,
    ) -> None:
        """The sprint, its figures and the backlog it can take from."""
        from tpm_tui.services.sprints import KnownItems, load_planning

        ws = self.workspace
        read_ahead = self.tpm.read_ahead.take("sprint", wait=True) if ahead else None
        if read_ahead is not None and self._adopt(read_ahead, ws.clock.today()):
            self.post_message(self.Loaded(self._known_planning(read_ahead.data), keep))
            return
        if self._known is None:
            self._known = KnownItems()
        try:
            planning = load_planning(
                ws.open(), ws.clock, sprint_id, candidates, touched, self._known
            )
        except TpmError as error:
            self.failed(error)
            return
        self.post_message(self.Loaded(planning, keep))

    @unless_leaving
    def on_sprint_screen_loaded(self, message: Loaded) -> None:
        """Show a freshly read sprint."""
        planning = message.planning
        self.planning = planning
        if planning is None:
            self._show_nothing()
            self.loaded()
            return
        report = planning.report
        if self._retro_for is not None and self._retro_for != report.sprint.id:
            self._retro_for = None
        self.sprint_id = report.sprint.id
        backlog_list, sprint_list = self._lists()
        self._fill(backlog_list, planning.candidates, message.keep if self.side == 0 else None)
        self._fill(sprint_list, report.items, message.keep if self.side == 1 else None)
        self._show_figures(report)
        self.refresh_status()
        if self.view == "standup":
            self._read_standup()
        elif self.view == "retro":
            self._show_retro()
        self.loaded()

    def _show_nothing(self) -> None:
        self.set_status(Content.assemble(("No sprint yet", "bold")))
        self.query_one("#sprint-goal", Static).update(
            Content(
                'Make one in the shell: tpm sprint new "Sprint 1" --start mon --length 2w '
                "(then 5 brings you back here)."
            )
        )

    @staticmethod
    def _fill(cards: CardList, items: tuple[ItemView, ...], keep: int | None) -> None:
        row = cards.highlighted or 0
        cards.set_items(items, {})
        ids = [i.id for i in items]
        if keep is not None and keep in ids:
            cards.highlighted = ids.index(keep)
        elif items:
            cards.highlighted = max(0, min(row, len(items) - 1))

    def _lists(self) -> tuple[CardList, CardList]:
        return (
            self.query_one("#sprint-backlog", CardList),
            self.query_one("#sprint-items", CardList),
        )

    def _show_figures(self, report: SprintReport) -> None:
        """The planning view's lines, and the burndown view if it is the one shown. Each
        line is one row high whatever it says: no layout of the screen (which would
        then be drawn again whole)."""
        assert self.planning is not None
        sprint = report.sprint
        self._line(
            "#sprint-goal",
            Content.assemble(("Goal: ", "bold"), sprint.goal)
            if sprint.goal
            else Content.assemble(("no goal set (tpm sprint edit … --goal)", "dim")),
        )
        width = max(40, self.size.width - 2)
        self._line("#sprint-bar", capacity_bar(report, width))
        self._line("#sprint-capacity", Content.styled(report.capacity.summary(), "dim"))
        candidates = self.planning.candidates
        self._line(
            "#backlog-title",
            Content.assemble(
                ("Backlog", "bold"),
                f"  {_items(len(candidates))} · {sum(i.points or 0 for i in candidates)} pts",
            ),
        )
        self._line(
            "#items-title",
            Content.assemble(
                (sprint.name, "bold"),
                f"  {_items(len(report.items))} · {report.scope} pts · {report.done} done",
            ),
        )
        if self.view == "charts":
            self._show_charts(report)

    def _line(self, selector: str, content: Content) -> None:
        """Replace what a one-row line says (no layout: its size cannot change)."""
        self.query_one(selector, Static).update(content, layout=False)

    def _show_charts(self, report: SprintReport) -> None:
        """The burndown, its legend and the velocity of the sprint read last (once per
        read: coming back to the view draws nothing again)."""
        assert self.planning is not None
        from tpm_tui.services.sprints import ideal_line

        if self._charts_of is report:
            return
        self._charts_of = report
        sprint = report.sprint
        self.query_one("#burndown-title", Static).update(
            Content.assemble(
                (f"Burndown · {sprint.name}", "bold"),
                f"   committed {report.committed} · added {report.added} · removed "
                f"{report.removed} · done {report.done} · left {report.remaining} (points)",
            )
        )
        self.query_one(BurndownChart).show(report.burndown, ideal_line(sprint, report.committed))
        self.query_one("#burndown-legend", Static).update(
            Content.assemble(
                ("█", "$primary"),
                " remaining  ",
                ("·", "bold $warning"),
                ("▒", "$warning"),
                " ideal (weekdays)  ",
                ("+", "bold $error"),
                " scope added  − removed  ± both   (the commitment: what the first day ends with)",
            )
        )
        closed = [s for s in self.planning.sprints if s.closed and s.velocity is not None][-6:]
        lines = [Content.assemble(("Velocity (done points at the close)", "bold"))]
        lines += velocity_lines(closed, report.forecast, max(30, self.size.width - 4))
        self.query_one("#velocity", Static).update(Content("\n").join(lines))

    def refresh_status(self) -> None:
        """Which sprint, when, and which view."""
        if self.planning is None:
            return
        sprint = self.planning.report.sprint
        today = self.workspace.clock.today()
        state = sprint.state(today)
        when = state
        if state == "running":
            day = (today - sprint.start_date).days + 1
            when = f"day {day} of {sprint.days}"
        index = [s.id for s in self.planning.sprints].index(sprint.id)
        self.set_status(
            Content.assemble(
                (sprint.name, "bold"),
                f"  {sprint.start_date:%d %b} – {sprint.end_date:%d %b %Y} · {when}",
                (f" · {VIEWS[self.view]}", "bold"),
                (f"   sprint {index + 1}/{len(self.planning.sprints)}  [ ]", "dim"),
            )
        )

    # ------------------------------------------------------------ views

    @queued
    def action_view(self, view: str) -> None:
        """Show planning, the burndown and velocity, the stand-up, or the retro note."""
        if self.view == "retro" and view != "retro":
            self._keep_note()
        self.view = view
        self._show_view(view)
        if view == "standup":
            self._read_standup()
        elif view == "retro":
            self._show_retro()
        elif view == "charts" and self.planning is not None:
            self._show_charts(self.planning.report)
        self.refresh_status()

    @queued
    def action_sprint(self, step: int) -> None:
        """The sprint before or after this one."""
        if self.planning is None or self.sprint_id is None:
            return
        ids = [s.id for s in self.planning.sprints]
        index = ids.index(self.sprint_id) + step
        if not 0 <= index < len(ids):
            self.notify(f"No {'earlier' if step < 0 else 'later'} sprint", timeout=2)
            return
        if self.view == "retro":
            self._keep_note()
        self.read(ids[index], same=True)

    # ------------------------------------------------------------ planning

    def _current_list(self) -> CardList:
        return self._lists()[self.side]

    @queued
    def action_side(self, side: int) -> None:
        """Move between the backlog and the sprint."""
        self.side = side
        self.query_one("#side-backlog").set_class(side == 0, "-current")
        self.query_one("#side-sprint").set_class(side == 1, "-current")

    @queued
    def action_cursor(self, delta: int) -> None:
        """Up or down the list."""
        if self.view == "standup":
            self.query_one("#standup", VerticalScroll).scroll_relative(y=delta)
            return
        cards = self._current_list()
        if cards.items:
            row = cards.highlighted
            row = 0 if row is None else max(0, min(len(cards.items) - 1, row + delta))
            cards.highlighted = row

    def _planning_target(self, side: int) -> ItemView | None:
        """The item under the cursor of a side, in the planning view."""
        if self.view != "plan" or self.planning is None or self.side != side:
            return None
        return self._lists()[side].highlighted_item()

    @queued
    def action_pull(self) -> None:
        """Put the backlog item under the cursor into the sprint."""
        from tpm_tui.services import sprints

        item = self._planning_target(0)
        if item is None or self.sprint_id is None:
            return
        sprint_id, clock = self.sprint_id, self.workspace.clock
        self.save(
            f"pull of #{item.id} into the sprint",
            lambda db: sprints.add_items(db, clock, sprint_id, [item.id]),
            lambda _items: self._moved(item, 0),
        )

    @queued
    def action_send_back(self) -> None:
        """Take the sprint item under the cursor back to the backlog."""
        from tpm_tui.services import sprints

        item = self._planning_target(1)
        if item is None or self.sprint_id is None:
            return
        sprint_id, clock = self.sprint_id, self.workspace.clock
        self.save(
            f"return of #{item.id} to the backlog",
            lambda db: sprints.remove_items(db, clock, sprint_id, [item.id]),
            lambda _items: self._moved(item, 1),
        )

    def _moved(self, item: ItemView, side: int) -> None:
        """After `>` or `<`: the cursor stays where it was in that list (on the next
        item); the figures are read again. The backlog is not read again (thousands of
        rows for one item): after `>` it is the one shown less the item, after `<` the
        one shown with the item read and put in its place."""
        cards = self._lists()[side]
        items = cards.items
        index = items.index(item) if item in items else 0
        keep = items[index + 1].id if index + 1 < len(items) else None
        if keep is None and index > 0:
            keep = items[index - 1].id
        if self.planning is None:
            self.read(self.sprint_id, keep)
        elif side == 0:
            left = tuple(i for i in self.planning.candidates if i.id != item.id)
            self.read(self.sprint_id, keep, backlog=left)
        else:
            self.read(self.sprint_id, keep, backlog=self.planning.candidates, touched=(item.id,))

    @queued
    def action_rank(self, delta: int) -> None:
        """Raise or lower the item in the backlog's order (past its neighbour in view)."""
        from tpm_tui.services import backlog

        cards = self._current_list()
        item = cards.highlighted_item()
        if item is None or self.view != "plan":
            return
        index = cards.items.index(item)
        target = index + delta
        if not 0 <= target < len(cards.items) or cards.items[target].status != item.status:
            return
        neighbour = cards.items[target]
        clock = self.workspace.clock

        def write(db: object) -> ItemView:
            from tpm_tui.db import Database

            assert isinstance(db, Database)
            siblings = [i.id for i in backlog.list_items(db, status=item.status, kinds=[item.kind])]
            step = siblings.index(neighbour.id) - siblings.index(item.id)
            return backlog.reorder_item(db, clock, item.id, step)

        self.save(
            f"reorder of #{item.id}", write, lambda _moved: self.read(self.sprint_id, item.id)
        )

    @queued
    @opens_form
    def action_capacity(self) -> None:
        """How the sprint's capacity was made, person by person."""
        if self.planning is None or self.app.screen is not self:
            return
        report = self.planning.report
        self.app.push_screen(CapacityShown(report.sprint.name, report.capacity))

    # ------------------------------------------------------------ closing

    @queued
    @opens_form
    def action_close_sprint(self) -> None:
        """Close the sprint: record its velocity, carry its unfinished items over, and
        open its retro note."""
        from tpm_tui.services.sprints import next_sprint, why_not_close

        if self.planning is None or self.app.screen is not self:
            return
        report = self.planning.report
        refusal = why_not_close(report.sprint, self.workspace.clock)
        if refusal is not None:  # said before the dialog, not after it
            self.notify(refusal, severity="warning", markup=False)
            return
        following = next_sprint(self.planning.sprints, report.sprint)
        self.app.push_screen(
            CloseSprint(report, (following.id, following.name) if following else None),
            self._close_chosen,
        )

    def _close_chosen(self, target: int | bool | None) -> None:
        from tpm_tui.services.sprints import close_sprint

        if target is False or self.sprint_id is None:
            return
        sprint_id, clock = self.sprint_id, self.workspace.clock
        carry = target if isinstance(target, int) and not isinstance(target, bool) else None
        self.save(
            "close of the sprint",
            lambda db: close_sprint(db, clock, sprint_id, carry),
            self._after_close,
        )

    def _after_close(self, review: Review) -> None:
        r = review.report
        self.notify(
            f"Closed {r.sprint.name}: velocity {r.done}, {len(review.carried)} items "
            f"({review.carried_points} pts) carried over",
            markup=False,
        )
        self.view = "retro"
        self._show_view("retro")
        self._retro_for = None
        self.read(self.sprint_id)

    # ------------------------------------------------------------ the stand-up

    @work(thread=True, exclusive=True, group="standup")
    def _read_standup(self) -> None:
        from tpm_tui.services.standup import standup

        ws = self.workspace
        try:
            view = standup(ws.open(), ws.clock)
        except TpmError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        self.post_message(self.StandupRead(view))

    @unless_leaving
    def on_sprint_screen_standup_read(self, message: StandupRead) -> None:
        """Show the stand-up."""
        from tpm_tui.services.standup import render

        self.query_one("#standup-text", Static).update(Content(render(message.view)))

    # ------------------------------------------------------------ the retro note

    def _editor(self) -> TextArea:
        """The note's editor (its view is built once the note is first shown)."""
        from textual.widgets import TextArea

        return self.query_one("#retro-note", TextArea)

    def _show_retro(self) -> None:
        """Put the sprint's note (or the template) in the editor and give it the keys."""
        from tpm_tui.services.sprints import retro_text

        if self.planning is None:
            return
        editor = self._editor()
        report = self.planning.report
        # A note not typed in since it was put there is put there again: the template's
        # figures (or a note saved from the shell) as they are now.
        if self._retro_for != report.sprint.id or editor.text == self._note_loaded:
            self._note_loaded = retro_text(report)
            editor.load_text(self._note_loaded)
            self._retro_for = report.sprint.id
        editor.cursor_blink = not self.app.is_headless
        self.query_one("#retro-hint", Static).update(
            Content(
                "ctrl+s saves · ctrl+b makes the line under the cursor a backlog item · "
                "esc leaves the note (saved)"
            )
        )
        editor.focus()

    def unsaved_changes(self) -> str | None:
        """What quitting now would throw away ("the retro note of Sprint 24"), or None:
        a note typed and not saved (the template untouched is nothing)."""
        from tpm_tui.services.sprints import retro_text

        if self.planning is None or self._retro_for is None:
            return None
        report = self.planning.report
        text = self._editor().text
        if not text.strip() or text in (report.sprint.retro, retro_text(report), self._note_loaded):
            return None
        return f"the retro note of {report.sprint.name}"

    def _keep_note(self) -> None:
        """Save the note if it changed (leaving the view or the sprint)."""
        if self.planning is None or self._retro_for is None:
            return
        text = self._editor().text
        # Only what was typed is saved: the template looked at and left is not (saved,
        # its figures would stay as they were that day).
        if text != self._note_loaded and text != self.planning.report.sprint.retro and text.strip():
            self._save_note(text, quiet=True)

    def _save_note(self, text: str, quiet: bool = False) -> None:
        from tpm_tui.services.sprints import save_retro

        sprint_id = self._retro_for
        if sprint_id is None or self.planning is None:
            return

        def done(saved: object) -> None:
            from dataclasses import replace

            from tpm_tui.services.planning import SprintView

            assert isinstance(saved, SprintView)
            shown = self.planning  # now: a read may have landed since the save began
            if shown is not None and shown.report.sprint.id == saved.id:
                report = replace(shown.report, sprint=saved)
                self.planning = replace(shown, report=report)
            if not quiet:
                self.notify(f"Saved the retro of {saved.name}", markup=False)

        self.save("save of the retro note", lambda db: save_retro(db, sprint_id, text), done)

    @queued
    def action_save_retro(self) -> None:
        """Save the retro note."""
        if self.view == "retro":
            self._save_note(self._editor().text)

    @queued
    def action_leave_note(self) -> None:
        """Leave the note (saving it) for the planning view's keys."""
        if self.view == "retro":
            self._keep_note()
            self.set_focus(None)
            self.view = "plan"
            self._show_view("plan")
            self.refresh_status()

    @queued
    def action_action_item(self) -> None:
        """Make the note's line under the cursor a backlog item (the line then names it)."""
        from tpm_tui.services import backlog
        from tpm_tui.services.sprints import action_title, why_no_action

        if self.view != "retro":
            return
        editor = self._editor()
        row = editor.cursor_location[0]
        line = editor.document.get_line(row)
        title = action_title(line)
        if title is None:
            self.notify(why_no_action(line) or "", severity="warning", markup=False)
            return
        clock = self.workspace.clock

        def done(item: ItemView) -> None:
            editor.replace(
                f"{line.rstrip()} (#{item.id})",
                (row, 0),
                (row, len(line)),
                maintain_selection_offset=False,
            )
            self.notify(f"Added #{item.id} {item.title} to the backlog", markup=False)
            self._save_note(editor.text, quiet=True)
            if self.planning is not None:  # the backlog shown takes the new item
                backlog_shown = self.planning.candidates
                self.read(
                    self.sprint_id, self._current_id(), backlog=backlog_shown, touched=(item.id,)
                )

        self.save(
            "new backlog item",
            lambda db: backlog.create_item(db, clock, "story", title),
            done,
        )
