"""The backlog board: one column per board column, cards moved and reordered from the
keyboard, every change saved at once and undoable, other terminals' changes shown live."""

from __future__ import annotations

import contextlib
import dataclasses
import shlex
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.kinds import Kind
from tpm_tui.screens.base import WorkspaceScreen, opens_form, queued, unless_leaving
from tpm_tui.undo import ItemArchived, ItemEdited, ItemMoved, ItemReordered, UndoStack
from tpm_tui.widgets.epic_tree import EpicTree
from tpm_tui.widgets.kanban_column import CardList, KanbanColumn
from tpm_tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from collections.abc import Callable

    from tpm_tui.db import Database
    from tpm_tui.services.backlog import ItemView, Rollup
    from tpm_tui.services.board import BoardData, Level, SprintSummary
    from tpm_tui.services.documents import Sections
    from tpm_tui.services.filters import ItemFilter
    from tpm_tui.services.timetrack import EntryView
    from tpm_tui.undo import Step
    from tpm_tui.watch import Watcher
    from tpm_tui.widgets.detail_pane import ItemDetail


def _good_part(text: str) -> str:
    """The filter text without the parts the parser refuses (each token is read on its
    own, as the parser reads them)."""
    from tpm_tui.services.filters import parse_filter

    try:
        parts = shlex.split(text)
    except ValueError:  # an unclosed quote: the parser takes the words as they are
        parts = text.split()
    good = []
    for part in parts:
        token = part if part and not any(c in part for c in " \t'\"\\") else shlex.quote(part)
        try:
            parse_filter(token)
        except InvalidInput:
            continue
        good.append(token)
    return " ".join(good)


NARROW = 160  # columns: below this, an open detail pane shows beside the current column only


class BoardScreen(WorkspaceScreen):
    """The backlog board: stories, bugs and tech debt (or features, or epics) in columns."""

    AUTO_FOCUS = ""  # nothing: the board's keys work unfocused; see `current`
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "focus_column(-1)", "Column left", show=False),
        Binding("right,l", "focus_column(1)", "Column right", show=False),
        Binding("down,j", "cursor(1)", "Card down", show=False),
        Binding("up,k", "cursor(-1)", "Card up", show=False),
        Binding("pagedown", "cursor(10)", "Ten cards down", show=False),
        Binding("pageup", "cursor(-10)", "Ten cards up", show=False),
        Binding("home", "cursor(-100000)", "First card", show=False),
        Binding("end", "cursor(100000)", "Last card", show=False),
        Binding("H,shift+left", "move_card(-1)", "Move left", key_display="H"),
        Binding("L,shift+right", "move_card(1)", "Move right", key_display="L"),
        Binding("K,shift+up", "reorder(-1)", "Raise", key_display="K"),
        Binding("J,shift+down", "reorder(1)", "Lower", key_display="J"),
        Binding("n", "new_item", "New"),
        Binding("e,enter", "edit_item", "Edit", key_display="e"),
        Binding("x", "archive", "Archive"),
        Binding("u", "undo", "Undo"),
        Binding("i,space", "details", "Details", key_display="i"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("v", "level", "Level"),
        Binding("b", "tree", "Epics"),
        Binding("p", "prd", "PRD"),
    ]

    class Loaded(Message):
        """Board data read off the UI thread."""

        def __init__(
            self,
            data: BoardData,
            focus: int | None,
            generation: int,
            read: int,
            timer: tuple[EntryView | None] | None = None,
        ) -> None:
            super().__init__()
            self.data = data
            self.focus = focus
            self.generation = generation
            self.read = read  # which read of the board this is (only the last is shown)
            self.timer = timer  # (the running timer,) when read with the board

    class TreeLoaded(Message):
        """Epics and features for the epic tree."""

        def __init__(
            self, items: list[ItemView], rollups: dict[int, Rollup], prds: dict[int, Sections]
        ) -> None:
            super().__init__()
            self.items = items
            self.rollups = rollups
            self.prds = prds

    class DetailRead(Message):
        """The focused card's parents, blockers and roll-up, for the detail pane."""

        def __init__(self, detail: ItemDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self) -> None:
        super().__init__()
        self.data: BoardData | None = None
        self.level: Level | None = None
        self.item_filter: ItemFilter | None = None
        self.columns: dict[str, KanbanColumn] = {}
        self.undo = UndoStack()
        self.watcher: Watcher | None = None
        self.current: str | None = None  # the column under the cursor (focus stays put:
        # moving it between widgets would rebuild the footer on every key)
        self.generation = 0  # bumped by every local change; stale loads are dropped
        self._expect: int | None = None  # an item just saved, to say if a filter hides it
        self._filter_refused: InvalidInput | None = None  # the parser's word on the filter
        self._reads = 0  # reads of the board asked for so far
        # A card a read was asked to put under the cursor (a move, an undo), until a read
        # aimed at it lands: a later read for a change seen meanwhile must not lose it.
        self._aim: int | None = None
        self._new_level = False  # after `v`: the cursor goes to the first card if its own left

    # ------------------------------------------------------------ set-up

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Opening the workspace…")
        yield Static("", id="empty-hint")
        with Horizontal(id="board-body"):
            tree = EpicTree()
            tree.display = False
            yield tree
            yield Horizontal(id="columns")  # (the detail pane joins on first use)
        with Vertical(id="filter-bar") as bar:
            bar.display = False
            error = Static("", id="filter-error")
            error.display = False
            yield error
            yield Input(
                placeholder="filter: words, kind:debt, epic:12, sprint:current, owner:ana, "
                "points:>5",
                compact=True,
                id="filter",
            )
        yield KeyBar()

    def reload(self, first: bool) -> None:
        """Paint the frame now; open the database and read the board in a thread.
        Coming back reads it again only if something changed while it was hidden."""
        if first:
            self.query_one("#filter", Input).cursor_blink = not self.app.is_headless
            self.load()
        elif self.watcher is not None and self.watcher.changed():
            self.load(self.focused_id())

    def load(self, focus: int | None = None) -> None:
        """Read the board in a thread. Only the last read asked for is shown (an earlier
        one may come back later), and while a saved item waits to be shown every read
        lands on it: the cursor goes to the new card whichever read wins the race."""
        self._reads += 1
        if focus is not None and focus != self.focused_id():
            self._aim = focus
        target = next((t for t in (self._expect, self._aim) if t is not None), focus)
        self._read(target, self._reads, with_timer=self.data is None and not self.tpm.timer_known)

    @work(thread=True, exclusive=True, group="board-load")
    def _read(self, focus: int | None, read: int, with_timer: bool = False) -> None:
        """Read the board (opening the database on first use) and post it back; the
        first read brings the running timer along, which goes on screen with the cards
        (read here, the UI thread does not stop for it, nor a second thread start)."""
        generation = self.generation
        try:
            db = self.workspace.open()
            from tpm_tui.services.board import Level, load_board
            from tpm_tui.services.filters import ItemFilter

            level = self.level or Level.WORK
            data = load_board(db, self.workspace.clock, level, self.item_filter or ItemFilter())
        except TpmError as error:
            self.failed(error)
            return
        timer: tuple[EntryView | None] | None = None
        if with_timer:
            # (On failure it is read again as the cards go on screen, which says why.)
            with contextlib.suppress(TpmError):
                timer = (self.tpm.timekeeper.running(),)
        self.post_message(self.Loaded(data, focus, generation, read, timer))

    @unless_leaving
    async def on_board_screen_loaded(self, message: Loaded) -> None:
        """Show freshly read data: mount the columns once, then hand every column its
        cards, keeping the focus on the same card."""
        from tpm_tui.services.board import Level
        from tpm_tui.services.filters import ItemFilter

        if message.read != self._reads:
            return  # a later read is on its way
        if message.focus is not None and message.focus == self._aim:
            self._aim = None
        data = message.data
        wanted = (self.level or Level.WORK, self.item_filter or ItemFilter())
        if message.generation != self.generation or (data.level, data.item_filter) != wanted:
            # read before a local change, or for a level or filter since replaced
            self.load(message.focus if message.focus is not None else self.focused_id())
            return
        first = self.data is None
        self.data, self.level, self.item_filter = data, data.level, data.item_filter
        self._show_filter_message()
        if [c.key for c in data.columns] != list(self.columns):
            container = self.query_one("#columns", Horizontal)
            await container.remove_children()
            if not container.is_attached:  # the app began to leave meanwhile
                return
            self.columns = {c.key: KanbanColumn(c) for c in data.columns}
            await container.mount(*self.columns.values())
        focus = message.focus if message.focus is not None else self.focused_id()
        for key, column in self.columns.items():
            column.show(data.cards.get(key, []), data.rollups, keep=focus)
        if focus is not None and (holder := self._column_of(focus)) is not None:
            self._set_current(holder)
        elif first or self._new_level or self._current_column() is None:
            self._focus_first_card()
        self._new_level = False
        self.refresh_status()
        if self._expect is not None and self._expect == message.focus:
            if self._column_of(self._expect) is None:
                self.notify(f"#{self._expect} is hidden by the filter (esc clears it)")
            self._expect = None
        if first:
            if message.timer is not None:
                self.tpm.timer_read(*message.timer)
            else:
                self.tpm.read_timer()  # (shown since another screen read it: read it anew)
            self.watcher = self.workspace.watcher()
            self.set_interval(1.0, self._poll_changes)
            self.loaded()

    # ------------------------------------------------------------ helpers

    def _current_column(self) -> KanbanColumn | None:
        return self.columns.get(self.current) if self.current is not None else None

    def _set_current(self, column: KanbanColumn) -> None:
        """Make `column` the one the keys act on (marked on its header and cursor, not
        by focus)."""
        previous = self._current_column()
        if previous is not None and previous is not column:
            previous.set_current(False)
        column.set_current(True)
        self.current = column.column.key
        self._show_current_only()
        self._follow_cursor()

    def _show_current_only(self) -> None:
        """On a narrow body the current column alone is displayed, by a class on it. The
        class restyles the column's whole subtree (scroll bars too: a layout of the
        screen), so it is set only while the narrow layout needs it."""
        narrow = self.query_one("#board-body").has_class("-narrow")
        for key, column in self.columns.items():
            column.set_class(narrow and key == self.current, "-current")

    def _column_of(self, item_id: int) -> KanbanColumn | None:
        return next((c for c in self.columns.values() if c.has(item_id)), None)

    def focused_id(self) -> int | None:
        """The item id of the card under the cursor."""
        column = self._current_column()
        return column.highlighted_id() if column else None

    def _focused_item(self) -> ItemView | None:
        """The item of the card under the cursor, as drawn."""
        column = self._current_column()
        return column.cards.highlighted_item() if column else None

    def _focus_first_card(self) -> None:
        columns = list(self.columns.values())
        target = next((c for c in columns if c.ids), columns[0] if columns else None)
        if target is not None:
            self._set_current(target)

    def _show_cards(self, *keys: str, keep: int | None = None) -> None:
        """Hand the named columns their cards from `data` after a local change."""
        assert self.data is not None
        for key in keys:
            self.columns[key].show(self.data.cards[key], self.data.rollups, keep=keep)

    def refresh_status(self) -> None:
        """The line under the title: sprint, debt share, level, filter."""
        data = self.data
        if data is None:
            return
        parts: list[tuple[str, str] | str] = []
        if data.sprint is not None:
            s = data.sprint
            parts += [(s.name, "bold"), f" {s.done}/{s.committed} pts done · {s.days_left}d left"]
            self.sub_title = f"{self.workspace.name} · {s.name}"
        else:
            parts.append(("no sprint running", "dim"))
        debt = data.debt_percent
        parts.append(f" │ debt {debt}% of pts" if debt is not None else "")
        parts.append(f" │ {data.level.value}")
        if data.item_filter.active:
            parts += [" │ ", (f"filter {data.item_filter.text}", "bold $warning")]
            parts.append(f" hides {data.hidden} · esc clears")
        self.set_status(Content.assemble(*parts))
        hint = self.query_one("#empty-hint", Static)
        if data.shown:
            hint.display = False
        else:
            hint.display = True
            hint.update(
                Content("Nothing matches the filter: esc clears it.")
                if data.item_filter.active
                else Content(
                    f"No {data.level.value} items yet. Press n to add the first one — "
                    "or run `tpm demo` to try a sample workspace."
                )
            )

    def _changed(self, step: Step | None) -> None:
        """Record an undo step and note that local data is newer than any load in flight."""
        self.generation += 1
        if step is not None:
            self.undo.push(step)

    def on_unmount(self) -> None:
        """Close the change watcher's connection."""
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None

    def changed_elsewhere(self) -> None:
        """A colleague's change on a team server: read as the poll would, at once."""
        self._poll_changes()

    def _poll_changes(self) -> None:
        # Behind another screen the board does not read (thousands of cards, unseen):
        # the change stays noted until it is shown again (`reload`).
        if self.is_current and self.watcher is not None and self.watcher.changed():
            self.load(self.focused_id())
            self.tpm.read_timer()  # a timer started in another terminal

    # ------------------------------------------------------------ moving around

    @queued
    def action_focus_column(self, delta: int) -> None:
        """Focus the neighbouring column, on the card at about the same height."""
        columns = list(self.columns.values())
        current = self._current_column()
        if not columns or current is None:
            return
        index = columns.index(current)
        target = columns[max(0, min(len(columns) - 1, index + delta))]
        if target is current:
            return
        row = current.cards.highlighted or 0
        target.highlight(None, row)
        self._set_current(target)

    @queued
    def action_cursor(self, delta: int) -> None:
        """Move the cursor down or up the column."""
        column = self._current_column()
        if column is not None and column.ids:
            row = column.cards.highlighted
            row = 0 if row is None else max(0, min(len(column.ids) - 1, row + delta))
            column.cards.highlighted = row

    # ------------------------------------------------------------ changes

    @queued
    def action_move_card(self, delta: int) -> None:
        """Move the card to the neighbouring column; the focus goes with it."""
        from tpm_tui.services import backlog

        item, column = self._focused_item(), self._current_column()
        if item is None or column is None or self.data is None:
            return
        keys = list(self.columns)
        index = keys.index(column.column.key) + delta
        if not 0 <= index < len(keys):
            return
        target_key, clock = keys[index], self.workspace.clock

        def done(result: tuple[ItemView, SprintSummary | None]) -> None:
            assert self.data is not None
            moved, sprint = result
            self.data = dataclasses.replace(self.data, sprint=sprint)
            name = self.columns[moved.status].column.name
            self._changed(ItemMoved(item.id, item.status, item.rank, item.done_at, name))
            self.data.cards[item.status].remove(item)
            self.data.cards[moved.status].append(moved)
            self._show_cards(item.status)
            self._show_cards(moved.status, keep=moved.id)
            self._set_current(self.columns[moved.status])
            self.refresh_status()

        self.save(
            f"move of #{item.id}",
            self._with_sprint(lambda db: backlog.move_item(db, clock, item.id, target_key)),
            done,
        )

    def _with_sprint(
        self, write: Callable[[Database], ItemView]
    ) -> Callable[[Database], tuple[ItemView, SprintSummary | None]]:
        """A card's write, then the running sprint's points read again in the same
        worker: a move or an archive changes the done or committed points the status
        line shows, which must not wait for the next read to be true."""
        from tpm_tui.services.board import sprint_summary

        today = self.workspace.clock.today()
        return lambda db: (write(db), sprint_summary(db, today))

    @queued
    def action_reorder(self, delta: int) -> None:
        """Raise (K) or lower (J) the card inside its column."""
        from tpm_tui.services import backlog

        item, column = self._focused_item(), self._current_column()
        if item is None or column is None or self.data is None:
            return
        cards = self.data.cards[item.status]
        index = cards.index(item)
        target = max(0, min(len(cards) - 1, index + delta))
        if target == index:
            return
        clock = self.workspace.clock

        def done(moved: ItemView) -> None:
            assert self.data is not None
            self._changed(ItemReordered(item.id, target - index))
            if self.data.item_filter.active:
                self.load(item.id)  # hidden neighbours took part: read the true order back
                return
            cards.pop(index)
            cards.insert(target, moved)
            self._show_cards(item.status, keep=item.id)

        self.save(
            f"reorder of #{item.id}",
            lambda db: backlog.reorder_item(db, clock, item.id, target - index),
            done,
        )

    @queued
    def action_archive(self) -> None:
        """Archive the card (u brings it back)."""
        from tpm_tui.services import backlog

        item = self._focused_item()
        if item is None or self.data is None:
            return
        clock = self.workspace.clock

        def done(result: tuple[ItemView, SprintSummary | None]) -> None:
            assert self.data is not None
            self.data = dataclasses.replace(self.data, sprint=result[1])
            self._changed(ItemArchived(item.id))
            self.data.cards[item.status].remove(item)
            self._show_cards(item.status)
            self.refresh_status()
            self.notify(f"Archived #{item.id} {item.title} — u brings it back", markup=False)

        self.save(
            f"archive of #{item.id}",
            self._with_sprint(lambda db: backlog.set_archived(db, clock, item.id, True)),
            done,
        )

    @queued
    def action_undo(self) -> None:
        """Take back the last move, reorder, edit or archive."""
        clock = self.workspace.clock

        def done(result: tuple[Step, int | None]) -> None:
            step, focus = result
            self.generation += 1
            self.notify(f"Undid the {step.label}", markup=False)
            self.load(focus)

        self.save("undo", lambda db: self.undo.undo(db, clock), done)

    # ------------------------------------------------------------ the form

    def _on_top(self) -> bool:
        """Whether the board is the screen in front (no form or dialog over it)."""
        return self.app.screen is self

    @queued
    @opens_form
    def action_new_item(self) -> None:
        """Open the form for a new item in the focused column."""
        from tpm_tui.screens.item_editing import form_choices, typed_values
        from tpm_tui.screens.item_form import ItemForm
        from tpm_tui.services import backlog
        from tpm_tui.services.board import Level

        if self.data is None or not self._on_top():
            return
        column = self._current_column()
        kind = {Level.WORK: Kind.STORY, Level.FEATURES: Kind.FEATURE, Level.EPICS: Kind.EPIC}[
            self.data.level
        ]
        initial: dict[str, Any] = {
            "kind": kind.value,
            "status": column.column.key if column else self.data.columns[0].key,
            "owner": backlog.default_owner(self.db),  # me on a team database
        }
        narrowed = self.data.item_filter
        if narrowed.feature_id is not None or narrowed.epic_id is not None:
            initial["parent_id"] = narrowed.feature_id or narrowed.epic_id

        def save(values: dict[str, Any]) -> int:
            typed = typed_values(values)
            return backlog.create_item(self.db, self.workspace.clock, **typed).id

        self.app.push_screen(
            ItemForm("New item", initial, form_choices(self.db), save),
            lambda item_id: self._after_form(item_id, "Added"),
        )

    @queued
    @opens_form
    def action_edit_item(self) -> None:
        """Open the form on the focused card."""
        from tpm_tui.screens.item_editing import edit_form

        item = self._focused_item()
        if item is None or not self._on_top():
            return

        edits: list[ItemEdited] = []

        def saved(edited: ItemEdited) -> None:
            edits.append(edited)
            self._changed(edited)

        self.app.push_screen(
            edit_form(self.db, self.workspace.clock, item.id, saved),
            lambda item_id: self._after_form(item_id, "Saved" if edits else "No change to"),
        )

    def _after_form(self, item_id: int | None, verb: str) -> None:
        """Say what was saved and show it: at its level (a new epic shows the epics),
        under the same filter (a note says so if the filter hides it)."""
        from tpm_tui.services import backlog
        from tpm_tui.services.board import Level

        if item_id is None:
            return
        self.generation += 1
        try:
            item = backlog.get_item(self.db, item_id)
        except TpmError as error:
            self.show_error(error)
            self.load(item_id)
            return
        self.notify(f"{verb} #{item.id} {item.title}", markup=False)
        self.level = {0: Level.EPICS, 1: Level.FEATURES}.get(item.kind.level, Level.WORK)
        self._expect = item_id
        self.load(item_id)

    @on(CardList.Clicked)
    def _card_clicked(self, event: CardList.Clicked) -> None:
        """A click on a card makes it the current card and opens it (once)."""
        column = event.cards.parent
        if not isinstance(column, KanbanColumn) or not self._on_top():
            return
        if event.index is not None:
            column.cards.highlighted = event.index
        self._set_current(column)
        if event.index is not None:
            self.action_edit_item()

    @queued
    def action_prd(self) -> None:
        """Open the PRD of the epic of the card under the cursor."""
        from tpm_tui.screens.prd import open_prd

        item = self._focused_item()
        if item is None:
            return
        epic_id = item.id if item.kind.level == 0 else item.epic_id
        if epic_id is None:
            self.notify(f"#{item.id} is under no epic: PRDs belong to epics", severity="warning")
            return
        open_prd(self, epic_id)

    # ------------------------------------------------------------ the detail pane

    @queued
    def action_details(self) -> None:
        """Show or hide the detail pane (it follows the cursor)."""
        from tpm_tui.widgets.detail_pane import DetailPane

        body = self.query_one("#board-body")
        panes = self.query(DetailPane)
        if not panes:  # built on first use: a board that never opens it pays nothing
            body.mount(DetailPane())
            shown = True
        else:
            pane = panes.first()
            pane.display = shown = not pane.display
        body.set_class(shown, "-detail")
        self._fit_detail()
        self.call_after_refresh(self._follow_cursor)

    def on_resize(self) -> None:
        """Keep the detail pane's layout fitting the width."""
        self._fit_detail()

    def _fit_detail(self) -> None:
        """Below NARROW columns an open detail pane leaves room for the current column
        only (a class on the board's body, set only while the pane is open, so the
        board never restyles for it otherwise)."""
        body = self.query_one("#board-body")
        body.set_class(body.has_class("-detail") and self.size.width < NARROW, "-narrow")
        self._show_current_only()

    @on(CardList.CursorMoved)
    def _cursor_moved(self, event: CardList.CursorMoved) -> None:
        column = event.cards.parent
        if isinstance(column, KanbanColumn) and column.column.key == self.current:
            self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Read the focused card's detail for the pane (when it is open)."""
        panes = self.query("DetailPane")  # by name: no import until the pane is wanted
        if not panes or not panes.first().display:
            return
        from tpm_tui.widgets.detail_pane import DetailPane

        pane = panes.first(DetailPane)
        item = self._focused_item()
        if item is None:
            pane.show_detail(None)
            return
        self._read_detail(item, {key: c.column.name for key, c in self.columns.items()})

    @work(thread=True, exclusive=True, group="detail")
    def _read_detail(self, item: ItemView, columns: dict[str, str]) -> None:
        from tpm_tui.services import backlog
        from tpm_tui.widgets.detail_pane import ItemDetail

        db = self.db
        try:
            parents: list[ItemView] = []
            parent_id = item.parent_id
            while parent_id is not None and len(parents) < 3:
                parent = backlog.get_item(db, parent_id)
                parents.insert(0, parent)
                parent_id = parent.parent_id
            blocked_by = backlog.dependencies(db).get(item.id, [])
            blockers = tuple(backlog.get_item(db, i) for i in blocked_by)
            rollup = backlog.rollups(db, [item.id]).get(item.id) if item.kind.level < 2 else None
            prd = None
            if item.kind.level == 0:
                from tpm_tui.services.prd import status

                prd = status(db, item.id)
        except TpmError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        detail = ItemDetail(item, columns, tuple(parents), blockers, rollup, prd)
        self.post_message(self.DetailRead(detail))

    @unless_leaving
    def on_board_screen_detail_read(self, message: DetailRead) -> None:
        """Show the detail if the cursor is still on that card."""
        from tpm_tui.widgets.detail_pane import DetailPane

        if message.detail.item == self._focused_item():
            self.query_one(DetailPane).show_detail(message.detail)

    # ------------------------------------------------------------ filter, level, tree

    def action_filter(self) -> None:
        """Open the one-line filter."""
        self.query_one("#filter-bar").display = True
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Clear the filter and hide its line."""
        field = self.query_one("#filter", Input)
        bar = self.query_one("#filter-bar")
        had = bool(self.item_filter and self.item_filter.active) or bar.display
        with field.prevent(Input.Changed):
            field.value = ""
        bar.display = False
        self._show_filter_error(None)
        if had:
            self._apply_filter("")
            self._back_to_board()

    def _show_filter_error(self, error: InvalidInput | None) -> None:
        """Note what the parser says of the filter's text (None: it takes it all)."""
        self._filter_refused = error
        self._show_filter_message()

    def _show_filter_message(self) -> None:
        """Above the filter line: what the parser refuses of its text (left out), else
        what the filter shown asks that nothing can match (a sprint no sprint is
        called, from the read of that filter), else nothing."""
        box = self.query_one("#filter-error", Static)
        data = self.data
        shown = data is not None and data.item_filter == self.item_filter
        note = data.filter_note if data is not None and shown else None
        error = self._filter_refused
        box.display = error is not None or note is not None
        if error is not None:
            box.update(Content.assemble(("✗ ", "bold $error"), str(error), (" — left out", "dim")))
        elif note is not None:
            box.update(Content.assemble(("✗ ", "bold $error"), note, (" — nothing matches", "dim")))

    def _apply_filter(self, text: str) -> None:
        """Apply what parses; while a part of the text is wrong, say why and leave that
        part out (so `points:abc` never becomes a search for the word "points")."""
        from tpm_tui.services.filters import parse_filter

        try:
            parsed = parse_filter(text)
        except InvalidInput as error:
            self._filter_refused = error
            parsed = parse_filter(_good_part(text))
        else:
            self._filter_refused = None
        if parsed != self.item_filter:
            self.item_filter = parsed
            self.load(self.focused_id())
        self._show_filter_message()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if self._filter_refused is not None:
            return  # a wrong filter: stay in the line, its message says what to fix
        if not event.value.strip():
            self.query_one("#filter-bar").display = False
        self._back_to_board()

    def _back_to_board(self) -> None:
        """Give the keys back to the board (from the filter line or the epic tree)."""
        self.set_focus(None)
        if self._current_column() is None:
            self._focus_first_card()

    def on_key(self, event: Any) -> None:
        """esc in the filter line clears it (Inputs keep their own keys otherwise)."""
        if (
            event.key == "escape"
            and isinstance(self.focused, Input)
            and self.focused.id == "filter"
        ):
            event.stop()
            self.action_clear_filter()
            self._back_to_board()

    @queued
    def action_level(self) -> None:
        """Switch between work items, features and epics."""
        from tpm_tui.services.board import Level

        self.level = (self.level or Level.WORK).next()
        self._new_level = True
        self.load()

    def action_tree(self) -> None:
        """Show or hide the epic tree."""
        tree = self.query_one(EpicTree)
        tree.display = not tree.display
        if tree.display:
            self._load_tree()
            tree.focus()
        else:
            self._back_to_board()

    @work(thread=True, exclusive=True, group="tree-load")
    def _load_tree(self) -> None:
        from tpm_tui.services import backlog

        try:
            db = self.workspace.open()
            items = backlog.list_items(db, kinds=[Kind.EPIC, Kind.FEATURE])
            rollups = backlog.rollups(db)
            from tpm_tui.services.prd import statuses

            prds = statuses(db)
        except TpmError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        self.post_message(self.TreeLoaded(items, rollups, prds))

    @unless_leaving
    def on_board_screen_tree_loaded(self, message: TreeLoaded) -> None:
        """Fill the epic tree."""
        self.query_one(EpicTree).show_items(message.items, message.rollups, message.prds)

    @on(EpicTree.Chosen)
    def _epic_chosen(self, event: EpicTree.Chosen) -> None:
        if event.item_id is None:
            text = ""
        elif event.kind is Kind.FEATURE:
            text = f"feature:{event.item_id}"
        else:
            text = f"epic:{event.item_id}"
        field = self.query_one("#filter", Input)
        with field.prevent(Input.Changed):
            field.value = text
        self.query_one("#filter-bar").display = bool(text)
        self._apply_filter(text)
        self._back_to_board()

    # ------------------------------------------------------------ jumping to an item

    def jump_to(self, item_id: int) -> None:
        """Show and focus an item (once the board has data): clear a filter that hides
        it, switch level if needed."""
        self.act(lambda: self._jump(item_id))

    def _jump(self, item_id: int) -> None:
        from tpm_tui.services import backlog
        from tpm_tui.services.board import Level
        from tpm_tui.services.filters import ItemFilter

        item = backlog.get_item(self.db, item_id)  # a refusal becomes a message (act)
        if item.archived:
            self.notify(
                f"#{item.id} is archived: `tpm restore {item.id}` brings it back", markup=False
            )
            return
        self.level = {0: Level.EPICS, 1: Level.FEATURES}.get(item.kind.level, Level.WORK)
        if self._column_of(item_id) is None:
            field = self.query_one("#filter", Input)
            with field.prevent(Input.Changed):
                field.value = ""
            self.query_one("#filter-bar").display = False
            self._show_filter_error(None)
            self.item_filter = ItemFilter()
        self.generation += 1
        self.load(item_id)
