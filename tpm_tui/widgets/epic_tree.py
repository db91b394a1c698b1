"""The epic tree: epics and their features with done % and points; choosing one
narrows the board to what is under it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree

from tpm_tui.kinds import Kind

if TYPE_CHECKING:
    from tpm_tui.services.backlog import ItemView, Rollup
    from tpm_tui.services.documents import Sections


def _label(item: ItemView, rollup: Rollup | None, prd: Sections | None = None) -> Text:
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(f"#{item.id} ", style="dim")
    label.append(item.title)  # plain text: never parsed as markup
    if rollup is not None and rollup.items:
        label.append(f"  {rollup.done_percent}% · {rollup.total_points} pts", style="dim")
    if prd is not None:
        label.append(f" · PRD {prd}", style="dim")
    return label


class EpicTree(Tree[int]):
    """Epics with their features; node data is the item id (None for the root)."""

    class Chosen(Message):
        """The user chose an epic or a feature (or the root: everything)."""

        def __init__(self, item_id: int | None, kind: Kind | None) -> None:
            super().__init__()
            self.item_id = item_id
            self.kind = kind

    def __init__(self) -> None:
        super().__init__(Text("All epics"), id="epic-tree")
        self.show_root = True
        self._kinds: dict[int, Kind] = {}

    def show_items(
        self,
        items: Sequence[ItemView],
        rollups: dict[int, Rollup],
        prds: dict[int, Sections] | None = None,
    ) -> None:
        """Rebuild from epics and features (a few dozen nodes; cheap); epics with a PRD
        say how many of its template's sections are written (`PRD 5/9`)."""
        prds = prds or {}
        self.clear()
        self._kinds = {item.id: item.kind for item in items}
        nodes = {}
        for item in items:
            if item.kind is Kind.EPIC:
                nodes[item.id] = self.root.add(
                    _label(item, rollups.get(item.id), prds.get(item.id)), data=item.id
                )
        loose = None
        for item in items:
            if item.kind is not Kind.FEATURE:
                continue
            parent = nodes.get(item.parent_id or -1)
            if parent is None:
                if loose is None:
                    loose = self.root.add(Text("Features without an epic", style="dim"))
                parent = loose
            parent.add_leaf(_label(item, rollups.get(item.id)), data=item.id)
        self.root.expand_all()

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        """Turn a selection into a Chosen message for the screen."""
        event.stop()
        item_id = event.node.data
        self.post_message(self.Chosen(item_id, self._kinds.get(item_id) if item_id else None))
