"""One board column: a header (name, count, WIP limit) over a list of cards that
renders only the rows on screen, so a column of thousands stays quick."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tpm_tui.services.backlog import ColumnView, ItemView, Rollup
from tpm_tui.widgets.card import card_prompt


class CardList(OptionList):
    """The cards of one column; the option ids are the item ids."""

    def highlighted_id(self) -> int | None:
        """The item id of the highlighted card, if any."""
        option = self.highlighted_option
        return int(option.id) if option is not None and option.id is not None else None


class KanbanColumn(Vertical):
    """A column of the board. Data comes in through `show`; the screen reads the
    highlighted card through `highlighted_id`."""

    def __init__(self, column: ColumnView) -> None:
        super().__init__(id=f"column-{column.key}", classes="kanban-column")
        self.column = column
        self._ids: list[int] = []
        self._prompts: dict[int, Content] = {}

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
        return self.cards.highlighted_id()

    def show(
        self,
        items: Sequence[ItemView],
        rollups: dict[int, Rollup],
        keep: int | None = None,
    ) -> bool:
        """Show these cards (only if they differ from what is shown). The highlight
        stays on item `keep` (or the current one) when it is still here, else on the
        card now at its place. Returns whether anything changed."""
        prompts = {item.id: card_prompt(item, rollups.get(item.id)) for item in items}
        ids = [item.id for item in items]
        self._update_header(len(ids))
        if ids == self._ids and all(prompts[i] == self._prompts.get(i) for i in ids):
            return False
        cards = self.cards
        previous_index = cards.highlighted
        wanted = keep if keep is not None else cards.highlighted_id()
        self._ids, self._prompts = ids, prompts
        options: list[Option | None] = []
        for item_id in ids:
            options.append(Option(prompts[item_id], id=str(item_id)))
            options.append(None)  # a rule between cards
        if options:
            options.pop()
        cards.set_options(options)
        if wanted is not None and wanted in prompts:
            cards.highlighted = ids.index(wanted)
        elif ids:
            cards.highlighted = min(previous_index or 0, len(ids) - 1)
        return True

    def _update_header(self, count: int) -> None:
        column = self.column
        limit = column.wip_limit
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
        header.update(text)
        header.set_class(over, "-over-limit")
