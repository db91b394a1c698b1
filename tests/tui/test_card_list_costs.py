"""What a card list does when its cards come in again: a title's width is measured
once per title (not for every card on every update), a list handed the cards it shows
draws nothing, and coming back to a screen redraws no card (its renders are kept
until the theme changes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult

from tests.tui.test_card_strips import item
from tpm_tui.widgets import kanban_column
from tpm_tui.widgets.kanban_column import CardList


class Cards(App[None]):
    """One card list, 20 lines high."""

    def compose(self) -> ComposeResult:
        yield CardList()


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[object]:
    """Count the calls of `module.name` (still calling it)."""
    calls: list[object] = []
    real: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


async def test_titles_are_measured_once_and_unchanged_cards_draw_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = tuple(item(f"Item number {n} about a change", id=n) for n in range(1, 401))
    async with Cards().run_test(size=(60, 20)) as pilot:
        widget = pilot.app.query_one(CardList)
        widget.set_items(cards, {})
        await pilot.pause()
        measured = _counting(monkeypatch, kanban_column, "title_cells")
        refreshed = _counting(monkeypatch, widget, "refresh")
        widget.set_items(cards, {})  # the same cards again (a tuple; the list keeps a list)
        assert refreshed == [] and measured == []
        widget.set_items(cards[1:], {})  # one card gone: no title measured again
        assert measured == []
        widget.set_items((*cards[1:], item("A new, rather long title " * 3, id=999)), {})
        assert len(measured) == 1  # only the new title
        assert widget.title_lines == 2  # the new title needs two lines


async def test_a_long_title_anywhere_in_the_list_still_gives_every_card_two_lines() -> None:
    cards = [item(f"Item {n}", id=n) for n in range(1, 300)]
    long = item("A title far too long for one line of this narrow list " * 2, id=999)
    async with Cards().run_test(size=(40, 30)) as pilot:
        widget = pilot.app.query_one(CardList)
        widget.set_items(cards, {})
        await pilot.pause()
        assert widget.title_lines == 1
        widget.set_items([*cards, long], {})  # far below what is on screen
        assert widget.title_lines == 2
        widget.set_items(cards, {})
        assert widget.title_lines == 1


async def test_renders_are_kept_across_a_restyle_and_dropped_on_a_theme_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = [item(f"Item number {n}", id=n) for n in range(1, 30)]
    async with Cards().run_test(size=(60, 20)) as pilot:
        widget = pilot.app.query_one(CardList)
        widget.set_items(cards, {})
        await pilot.pause()
        drawn = _counting(monkeypatch, widget, "render_card")
        widget.notify_style_update()  # what a screen coming back does to every widget
        widget.refresh()
        await pilot.pause()
        assert drawn == []
        before = widget.render_line(0)
        pilot.app.theme = "textual-light" if pilot.app.theme != "textual-light" else "nord"
        await pilot.pause()
        await pilot.pause()
        assert drawn  # redrawn in the new colours
        assert widget.render_line(0) != before
