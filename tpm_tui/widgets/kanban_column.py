"""One board column: a header (name, count, WIP limit) over a list of cards that
renders only the rows on screen, so a column of thousands stays quick. Changes are
applied card by card (remove, append, swap), so a move re-renders two cards, not two
columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tpm_tui.widgets.card import card_key, card_prompt

if TYPE_CHECKING:
    from tpm_tui.services.backlog import ColumnView, ItemView, Rollup


class CardList(OptionList, can_focus=False):
    """The cards of one column (their order is kept by the KanbanColumn). It never
    takes the focus: the board's keys drive it, so moving between columns does not
    move the focus (which would rebuild the footer on every key)."""

    class Clicked(Message):
        """The user clicked this column's cards (it becomes the current column)."""

        def __init__(self, cards: CardList) -> None:
            super().__init__()
            self.cards = cards

    # The list's own size is fixed by the column (1fr), so a longer or shorter list
    # needs no layout of the whole screen; scrollbars still relayout when they appear.
    virtual_size = Reactive(Size(0, 0), layout=False)
    _rendered_width = 0

    def _clear_caches(self) -> None:
        # OptionList drops every rendered card when one is removed, because it bakes
        # the option's index into the strips for mouse hits; a move would then redraw
        # whole columns. Keep the renders while the width holds, and find the card
        # under the mouse from its line instead (below).
        width = self.scrollable_content_region.width
        if width != self._rendered_width:
            self._option_render_cache.clear()
            self._rendered_width = width
        self._line_cache.clear()
        self.refresh()

    def _option_at(self, y: int) -> int | None:
        line = y + self.scroll_offset.y
        lines = self._lines
        return lines[line][0] if 0 <= line < len(lines) else None

    async def _on_click(self, event: events.Click) -> None:
        self.post_message(self.Clicked(self))
        index = self._option_at(event.y)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._mouse_hovering_over = self._option_at(event.y)


class KanbanColumn(Vertical):
    """A column of the board. Cards come in through `show` (a whole load) or `remove_card`,
    `append_card` and `swap_cards` (one change); the screen reads `highlighted_id`."""

    def __init__(self, column: ColumnView) -> None:
        super().__init__(id=f"column-{column.key}", classes="kanban-column")
        self.column = column
        self._ids: list[int] = []
        self._keys: list[tuple[object, ...]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="column-header", classes="column-header")
        yield CardList(id=f"cards-{self.column.key}", markup=False)

    @property
    def cards(self) -> CardList:
        """The list widget (focusable)."""
        return self.query_one(CardList)

    @property
    def ids(self) -> list[int]:
        """Item ids in display order."""
        return list(self._ids)

    def highlighted_id(self) -> int | None:
        """The highlighted card's item id."""
        index = self.cards.highlighted
        return self._ids[index] if index is not None and index < len(self._ids) else None

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
    ) -> bool:
        """Show these cards, touching only what changed; the cursor stays on `keep` (or
        the current card), else at the same place. Returns whether anything changed."""
        cards = self.cards
        row = cards.highlighted or 0
        wanted = keep if keep is not None else self.highlighted_id()
        ids = [item.id for item in items]
        keys = [card_key(item, rollups.get(item.id)) for item in items]
        changed = False
        if ids == self._ids:
            for index, (item, key) in enumerate(zip(items, keys, strict=True)):
                if key != self._keys[index]:
                    cards.replace_option_prompt_at_index(
                        index, card_prompt(item, rollups.get(item.id))
                    )
                    changed = True
        else:
            cards.set_options(Option(card_prompt(i, rollups.get(i.id))) for i in items)
            changed = True
        self._ids, self._keys = ids, keys
        self._update_header()
        self.highlight(wanted, row)
        return changed

    def remove_card(self, item_id: int) -> None:
        """Take one card out; the cursor stays at the same place."""
        index = self._ids.index(item_id)
        row = self.cards.highlighted or 0
        self.cards.remove_option_at_index(index)
        del self._ids[index], self._keys[index]
        self._update_header()
        self.highlight(None, row)

    def append_card(self, item: ItemView, rollup: Rollup | None = None) -> None:
        """Add one card at the bottom."""
        self.cards.add_option(Option(card_prompt(item, rollup)))
        self._ids.append(item.id)
        self._keys.append(card_key(item, rollup))
        self._update_header()

    def swap_cards(self, first: int, second: int, items: Sequence[ItemView]) -> None:
        """Exchange the cards at two places (`items` is the column's new order)."""
        cards = self.cards
        for index in (first, second):
            item = items[index]
            cards.replace_option_prompt_at_index(index, card_prompt(item))
            self._ids[index], self._keys[index] = item.id, card_key(item, None)

    def _update_header(self) -> None:
        column = self.column
        count, limit = len(self._ids), column.wip_limit
        over = limit is not None and count > limit
        text = Content.assemble(
            (column.name, "bold"),
            f"  {count}" if limit is None else "",
            (
                f"  {count}/{limit} WIP" if limit is not None else "",
                "bold $error" if over else "dim",
            ),
            (" over!" if over else "", "bold $error"),
        )
        header = self.query_one("#column-header", Static)
        header.update(text, layout=False)  # one line, always: no layout pass
        header.set_class(over, "-over-limit")
