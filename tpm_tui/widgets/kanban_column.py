"""One board column: a header (name, count, WIP limit) over a list of cards. Every card
has the same height, so the list knows where each card is without measuring any: it
builds only the cards on screen, and keeps their renders keyed by what they show (a
card whose item changed can never be drawn from an old render)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import is_
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size, Spacing
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from tpm_tui.widgets.card import card_key, card_lines, title_cells

if TYPE_CHECKING:
    from tpm_tui.services.backlog import ColumnView, ItemView, Rollup

PADDING = Spacing(0, 1, 0, 1)
TWO_LINE_TITLES_FROM = 18  # rows of cards a column needs before titles take two lines


class CardList(ScrollView, can_focus=False):
    """The cards of one column, drawn line by line. It never takes the focus: the
    board's keys drive it, so moving between columns does not move the focus (which
    would rebuild the footer on every key)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-list--card",
        "card-list--cursor",
        "card-list--current-cursor",  # over the cursor, in the column the keys act on
    }

    DEFAULT_CSS = """
    CardList {
        overflow-x: hidden;
        & > .card-list--cursor {
            background: $block-cursor-blurred-background;
        }
    }
    """

    class Clicked(Message):
        """The user clicked a card (`index`), or below the cards (None)."""

        def __init__(self, cards: CardList, index: int | None) -> None:
            super().__init__()
            self.cards = cards
            self.index = index

    class CursorMoved(Message):
        """The card under the cursor is another one, or its item changed."""

        def __init__(self, cards: CardList, item: ItemView | None) -> None:
            super().__init__()
            self.cards = cards
            self.item = item

    highlighted: reactive[int | None] = reactive(None)
    """The index of the card under the cursor (None when the column is empty)."""

    # The list's own size is fixed by the column (1fr), so a longer or shorter list
    # needs no layout of the whole screen; scrollbars still relayout when they appear.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.auto_links = False  # cards hold no links: skip the per-render link pass
        self.items: list[ItemView] = []
        self.rollups: dict[int, Rollup] = {}
        self.title_lines = 1
        self.current = False  # in the column the keys act on
        self._renders: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(256)
        self._styles: dict[Style, dict[tuple[str, int, int], RichStyle]] = {}
        self._measured: tuple[Size, Size] | None = None  # the sizes the card height is for
        # The cells of each card's `#12 Title`, by the id and title it shows: an update
        # measures only the titles it brings, and a resize none.
        self._title_cells: dict[tuple[int, str], int] = {}
        self._widest = 0  # the widest `#12 Title` of the list, in cells
        self._variables: dict[str, str] | None = None  # the theme the renders were made in
        self._announced: ItemView | None = None
        self._scroll_when_measured = False  # the cursor waits for a size to scroll to

    @property
    def card_height(self) -> int:
        """Lines per card: its title lines and the details line."""
        return self.title_lines + 1

    # ------------------------------------------------------------ data in

    def set_items(self, items: Sequence[ItemView], rollups: dict[int, Rollup]) -> None:
        """Show these cards (the cursor index is the caller's to set)."""
        new = list(items)
        old = self.items
        # The very same cards (a switch that kept them): nothing to draw. Cards read
        # afresh are not compared field by field: thousands of comparisons cost more than
        # redrawing the few cards on screen from their renders (kept by what they show).
        if rollups == self.rollups and len(new) == len(old) and all(map(is_, new, old)):
            return
        self.items = new
        self.rollups = rollups
        self._widest = self._widest_title()
        self._measure()
        self.highlighted = self.validate_highlighted(self.highlighted)
        self.refresh()
        self._announce()

    def _widest_title(self) -> int:
        """The widest `#12 Title` of the cards, measuring only titles not seen before
        (and forgetting those no longer shown)."""
        known, cells = self._title_cells, {}
        for item in self.items:
            key = (item.id, item.title)
            width = known.get(key)
            cells[key] = title_cells(item) if width is None else width
        self._title_cells = cells
        return max(cells.values(), default=0)

    def _measure(self, drawing: bool = False) -> None:
        """Fix the card height for the current size, and the virtual size from it
        (`drawing`: measured by the drawing of a line, which the new size is for)."""
        region = self.scrollable_content_region
        self._measured = (self.size, region.size)
        inner = region.width - PADDING.width
        roomy = self.size.height >= TWO_LINE_TITLES_FROM
        # Title lines only grow for a column whose titles need them; every card of a
        # column keeps one height, so card i always starts at line i * height.
        lines = 2 if roomy and self.items and self._widest > inner else 1
        if lines != self.title_lines or (self._scroll_when_measured and self.size):
            self.title_lines = lines
            self._scroll_when_measured = False
            self.call_after_refresh(self.scroll_to_highlight)
        # The spare lines below the last card keep every scroll stop on a card boundary.
        spare = region.height % self.card_height if self.items else 0
        virtual = Size(region.width, len(self.items) * self.card_height + spare)
        if not drawing:
            if virtual != self.virtual_size:
                self.virtual_size = virtual
                # Textual tells a list's scroll bar (shown or not, its thumb, the scroll
                # kept in range) only when a layout gives the list a new size: cards
                # changed under an unchanged size kept a bar with nothing to scroll, or
                # lacked one while they overflowed. Told here, as that layout would:
                # all of it when the bar comes or goes, else its thumb and the scroll.
                overflows = virtual.height > region.height
                if self.size and overflows != self.show_vertical_scrollbar:
                    self._scroll_update(virtual)
                elif overflows:
                    self.vertical_scrollbar.window_virtual_size = virtual.height
                    if self.scroll_y > self.max_scroll_y:
                        self.scroll_y = self.max_scroll_y
        elif virtual != self.virtual_size:
            # The lines being drawn use the new size already: a repaint would draw every
            # line of the list again. Only the scroll bar's thumb is told.
            self.set_reactive(CardList.virtual_size, virtual)
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.window_virtual_size = virtual.height
        if not self.size and not self.show_vertical_scrollbar and self.is_attached:
            # Not laid out yet: cards taller than the whole screen overflow whatever
            # height the list gets, so its scroll bar is set before the first layout.
            # Textual would add it during that layout, which then needs a second one,
            # and every line of every column was drawn twice before the cards showed.
            self.show_vertical_scrollbar = self.virtual_size.height > self.screen.size.height

    def _on_resize(self, _event: events.Resize) -> None:
        if self._measured == (self.size, self.scrollable_content_region.size):
            return  # drawn at this size already (the first paint measures as it draws)
        self._measure()
        self.refresh()

    def notify_style_update(self) -> None:
        """A restyle, which every widget of a screen gets when the screen comes back:
        the renders are kept, since each is keyed by the card's style; only a theme
        change (new colours behind the runs' style names) drops them."""
        variables = self.app.theme_variables
        if variables is not self._variables:
            self._variables = variables
            self._renders.clear()
            self._styles.clear()
        self.refresh()
        super().notify_style_update()

    # ------------------------------------------------------------ the cursor

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        """Keep the cursor on a card (None only when there is none)."""
        if not self.items:
            return None
        if highlighted is None:
            return 0
        return max(0, min(highlighted, len(self.items) - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        """Redraw the two cards whose look changed; keep the new one in view."""
        height = self.card_height
        for index in (old, new):
            if index is not None:
                self.refresh_lines(index * height, height)
        self.scroll_to_highlight()
        self._announce()

    def scroll_to_highlight(self) -> None:
        """Scroll the card under the cursor into view, the top on a card's first line
        (so no half card hangs at the top)."""
        if self.highlighted is None or not self.is_mounted:
            return
        if not self.size:
            # Not laid out yet: with no height, any card but the first looks out of view
            # (every long column opened one card down). Done once the list is measured.
            self._scroll_when_measured = True
            return
        height, view = self.card_height, self.scrollable_content_region.height
        top, card = round(self.scroll_offset.y), self.highlighted * height
        if card < top:
            top = card
        elif card + height > top + view:
            top = -(-(card + height - view) // height) * height  # up to a card boundary
        else:
            return
        self.scroll_to(y=top, animate=False, force=True, immediate=True)

    def set_current(self, current: bool) -> None:
        """Draw the cursor as the one the keys move (or as a resting one). An attribute,
        not a CSS class: a class would send the list and its scroll bars through the
        stylesheet (a layout of the whole screen) and drop every cached card."""
        if current != self.current:
            self.current = current
            if self.highlighted is not None:
                self.refresh_lines(self.highlighted * self.card_height, self.card_height)

    def highlighted_item(self) -> ItemView | None:
        """The item under the cursor."""
        index = self.highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def _announce(self) -> None:
        item = self.highlighted_item()
        if item != self._announced:
            self._announced = item
            self.post_message(self.CursorMoved(self, item))

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        """One line of the card it falls on (blank below the last card)."""
        region = self.scrollable_content_region
        if self._measured != (self.size, region.size):
            # Laid out (or resized) since the cards came in, and the Resize event is still
            # on its way: choose the card height for this size before drawing any card.
            self._measure(drawing=True)
        width = region.width
        index, offset = divmod(self.scroll_offset.y + y, self.card_height)
        if index >= len(self.items):
            return Strip.blank(width, self.get_visual_style("card-list--card").rich_style)
        return self._card_strips(index, width)[offset]

    def _card_strips(self, index: int, width: int) -> list[Strip]:
        item = self.items[index]
        rollup = self.rollups.get(item.id)
        if index == self.highlighted and self.current:
            style = self.get_visual_style(
                "card-list--card", "card-list--cursor", "card-list--current-cursor"
            )
        elif index == self.highlighted:
            style = self.get_visual_style("card-list--card", "card-list--cursor")
        else:
            style = self.get_visual_style("card-list--card")
        key = (card_key(item, rollup), width, self.title_lines, style)
        strips = self._renders.get(key)
        if strips is None:
            strips = self.render_card(item, rollup, width, style)
            self._renders[key] = strips
        return strips

    def render_card(
        self, item: ItemView, rollup: Rollup | None, width: int, style: Style | None = None
    ) -> list[Strip]:
        """Draw one card, `card_height` lines of `width` cells (no cache): its lines laid
        out by `card_lines`, each run a segment in its resolved style, the padding in the
        card's style."""
        style = style or self.get_visual_style("card-list--card")
        pad = style.rich_style
        inner = width - PADDING.width
        if inner <= 0:
            return [Strip.blank(width, pad)] * self.card_height
        styles = self._run_styles(style)
        left, right = Segment(" " * PADDING.left, pad), Segment(" " * PADDING.right, pad)
        strips = []
        for y, line in enumerate(card_lines(item, rollup, inner, self.title_lines)):
            segments = [left]
            x = cells = 0
            for text, name in line:
                run_style = styles.get((name, x, y)) or self._run_style(style, name, x, y)
                segments.append(Segment(text, run_style))
                x += len(text)
                cells += cell_len(text)
            if cells < inner:
                segments.append(Segment(" " * (inner - cells), pad))
            segments.append(right)
            strips.append(Strip(segments, width))
        return strips

    def _run_styles(self, style: Style) -> dict[tuple[str, int, int], RichStyle]:
        """The resolved styles of runs on the card style `style`, by style name and
        position."""
        styles = self._styles.get(style)
        if styles is None:
            styles = self._styles[style] = {}
        return styles

    def _run_style(self, style: Style, name: str, x: int, y: int) -> RichStyle:
        """Resolve a run's style name (theme variables included) on the card's style, as
        Textual's own text rendering does, with the run's position in the card (`x`
        characters into line `y`) noted as Textual notes it for text selection; and
        remember it: the same few names and positions recur on every card."""
        resolved = (style + (style + Style.parse(name))).rich_style_with_offset(x, y)
        self._styles[style][name, x, y] = resolved
        return resolved

    # ------------------------------------------------------------ the mouse

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        index = (event.y + self.scroll_offset.y) // self.card_height
        self.post_message(self.Clicked(self, index if index < len(self.items) else None))


class ColumnHeader(Widget):
    """`Review  2/3 WIP`, or shorter when the column is narrow (`Review 2/3`); the
    numbers always show, the name is cut first."""

    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(classes="column-header")
        self.name_text = ""
        self.count = 0
        self.limit: int | None = None

    def set_counts(self, name: str, count: int, limit: int | None) -> None:
        """What the header says."""
        self.name_text, self.count, self.limit = name, count, limit
        self.set_class(self.over, "-over-limit")
        self.refresh()

    @property
    def over(self) -> bool:
        """Whether the column holds more cards than its WIP limit."""
        return self.limit is not None and self.count > self.limit

    def render(self) -> Content:
        """The longest form that fits the width."""
        width = self.content_region.width
        numbers = str(self.count) if self.limit is None else f"{self.count}/{self.limit}"
        warn = "bold $error" if self.over else "dim"
        forms = []
        if self.limit is not None:
            over = " over!" if self.over else ""
            forms.append((f"{self.name_text}  ", f"{numbers} WIP{over}"))
        forms.append((f"{self.name_text}  ", numbers))
        forms.append((f"{self.name_text} ", numbers))
        for name, tail in forms:
            if cell_len(name) + cell_len(tail) <= width:
                return Content.assemble((name, "bold"), (tail, warn))
        room = max(1, width - cell_len(numbers) - 1)
        return Content.assemble(
            (Content(self.name_text).truncate(room, ellipsis=True).plain, "bold"),
            " ",
            (numbers, warn),
        )


class KanbanColumn(Vertical):
    """A column of the board. Cards come in through `show`; the screen reads
    `highlighted_id` and moves the cursor with `highlight`."""

    def __init__(self, column: ColumnView) -> None:
        super().__init__(id=f"column-{column.key}", classes="kanban-column")
        self.column = column
        self._ids: list[int] = []
        # Held, not queried: a column is whole from the start. The board reads its
        # cursor at any moment (a colleague's change, the poll), also while the column
        # mounts or is taken down as the app leaves, when a query found no card list.
        self.header = ColumnHeader()
        self.cards = CardList(id=f"cards-{column.key}")
        """The list widget."""

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    def on_mount(self) -> None:
        """An empty column still says its name."""
        self._update_header()

    @property
    def ids(self) -> list[int]:
        """Item ids in display order."""
        return list(self._ids)

    def has(self, item_id: int) -> bool:
        """Whether the item is in this column."""
        return item_id in self._ids

    def set_current(self, current: bool) -> None:
        """Mark the column as the one the keys act on (its header and its cursor)."""
        self.header.set_class(current, "-current")
        self.cards.set_current(current)

    def highlighted_id(self) -> int | None:
        """The highlighted card's item id."""
        item = self.cards.highlighted_item()
        return item.id if item is not None else None

    def highlight(self, item_id: int | None, fallback: int = 0) -> None:
        """Put the cursor on `item_id`, or on the card at `fallback` if it is not here."""
        if not self._ids:
            return
        if item_id is not None and item_id in self._ids:
            self.cards.highlighted = self._ids.index(item_id)
        else:
            self.cards.highlighted = max(0, min(fallback, len(self._ids) - 1))

    def show(
        self, items: Sequence[ItemView], rollups: dict[int, Rollup], keep: int | None = None
    ) -> None:
        """Show these cards; the cursor stays on `keep` (or the current card), else at
        the same place."""
        cards = self.cards
        row = cards.highlighted or 0
        wanted = keep if keep is not None else self.highlighted_id()
        self._ids = [item.id for item in items]
        cards.set_items(items, rollups)
        self._update_header()
        self.highlight(wanted, row)

    def _update_header(self) -> None:
        column = self.column
        self.header.set_counts(column.name, len(self._ids), column.wip_limit)
