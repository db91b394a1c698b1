"""What opening the goals screen costs: its rows are measured without wrapping each one
(only the rows drawn are wrapped), with the same heights Textual's own measure gives;
and the first switch to a screen does not re-parse the app's whole stylesheet, while a
theme chosen before it still styles it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.color import Color
from textual.content import Content
from textual.css.stylesheet import Stylesheet
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.goals import GoalsScreen, Lines
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import backlog, goals

TITLES = [
    "Customers bill themselves",
    "A goal with a title long enough to wrap on a narrow terminal, and then some more",
    "請求書を自分で送る — wide characters",
    "x" * 70,  # one word longer than a narrow line
]


def _seed(db: Database, clock: Clock, n: int = 40, titles: list[str] = TITLES[:1]) -> None:
    for g in range(n):
        goal = goals.create_goal(db, clock, f"{titles[g % len(titles)]} {g}")
        for k in range(2):
            kr = goals.add_key_result(db, clock, goal.id, f"{titles[k % len(titles)]} {g}", 1, 4)
            goals.record_value(db, clock, kr.id, 1 + g % 4)
        epic = backlog.create_item(db, clock, "epic", f"{titles[(g + 1) % len(titles)]} {g}")
        goals.link_epic(db, clock, epic.id, goal.id)


@pytest.mark.parametrize("width", [6, 13, 20, 41, 80, 116])
@pytest.mark.parametrize("line_pad", [0, 1])
def test_rows_measure_as_textual_measures_them(
    db: Database, clock: Clock, width: int, line_pad: int
) -> None:
    _seed(db, clock, 8, TITLES)
    rows = [o for o in GoalsScreen()._options(goals.load_goals(db, clock)) if o is not None]
    assert len(rows) > 30
    rules: Any = {"line_pad": line_pad}
    for row in rows:
        prompt = row.prompt
        assert isinstance(prompt, Lines)
        textual = Content(prompt.plain, list(prompt.spans))
        assert prompt.get_height(rules, width) == textual.get_height(rules, width), prompt.plain


async def test_opening_the_goals_screen_wraps_only_the_rows_drawn(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db, clock)
    wrapped: list[str] = []
    real = Content._wrap_and_format

    def counted(self: Content, *args: Any, **kwargs: Any) -> Any:
        if self.plain.startswith("    "):  # a row of the goals list (they are indented)
            wrapped.append(self.plain)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Content, "_wrap_and_format", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", GoalsScreen)
        options = screen.query_one(OptionList)
        assert options.option_count > 150
        # The screen holds SIZE[1] lines: no more rows than that are wrapped (drawn).
        assert 0 < len(set(wrapped)) <= SIZE[1]
        last = options.get_option_at_index(options.option_count - 1)
        assert isinstance(last, Option)
        options.highlighted = options.option_count - 1  # far down: drawn and measured right
        await pilot.pause()
        assert options.scroll_y == options.max_scroll_y > 0


async def test_the_first_switch_to_a_screen_does_not_reparse_every_rule(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db, clock, 2)
    reparsed: list[int] = []
    real = Stylesheet.reparse

    def counted(self: Stylesheet) -> None:
        reparsed.append(1)
        real(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        reparsed.clear()
        await open_screen(pilot, "6", GoalsScreen)
        assert reparsed == []
        app.theme = "textual-light"  # a theme chosen before a screen first shows
        await pilot.pause()
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, WeekScreen) and app.screen.ready)
        assert app.screen.styles.background == Color.parse(app.current_theme.background)
