"""A card list drawn at its size is not drawn again when the layout then tells it of
that size (the Resize that follows a first paint): every card of a screen's first
paint was drawn twice."""

from __future__ import annotations

import pytest
from textual import events

from tests.tui.test_card_list_costs import Cards, _counting
from tests.tui.test_card_strips import item
from tpm_tui.widgets.kanban_column import CardList


async def test_a_list_told_the_size_it_was_drawn_at_draws_nothing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = [item(f"Item number {n} about a change", id=n) for n in range(1, 200)]
    async with Cards().run_test(size=(60, 20)) as pilot:
        widget = pilot.app.query_one(CardList)
        widget.set_items(cards, {})
        await pilot.pause()
        drawn = _counting(monkeypatch, widget, "render_line")
        widget.post_message(events.Resize(widget.size, widget.virtual_size, widget.container_size))
        await pilot.pause()
        assert drawn == []
        await pilot.resize_terminal(50, 20)  # another size: drawn again, to that width
        await pilot.pause()
        assert drawn and widget.scrollable_content_region.width < 50
