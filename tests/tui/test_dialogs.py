"""The one-line dialogs (t, s, S, m): no error before anything is typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from tests.conftest import NOW, Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.screens.timekeeping import LineModal
from tpm_tui.services import backlog, timetrack


def _preview(app: TpmApp) -> str:
    return str(app.screen.query_one("#line-preview").render())


@pytest.mark.parametrize("key", ["t", "s", "m"])
async def test_a_dialog_shows_no_error_before_anything_is_typed(
    seeded: Seeded, clock: Clock, make_app: Callable[..., TpmApp], key: str
) -> None:
    backlog.edit_item(
        seeded.db,
        clock,
        seeded.epic,
        start_date=date(2026, 11, 2),
        target_date=date(2026, 12, 4),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        if key == "m":
            await pilot.press("2")
            await wait_until(pilot, lambda: getattr(app.screen, "roadmap", None) is not None)
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, LineModal))
        await pilot.pause()
        assert "✗" not in _preview(app)
        assert not app.screen.query_one("#line-preview").has_class("-error")
        await pilot.press("x", "backspace", "space")  # typed, then taken back: still nothing
        assert "✗" not in _preview(app)
        await pilot.press("backspace", *"@zz")
        assert "✗" in _preview(app)  # something typed that is wrong


async def test_the_stop_question_previews_keeping_the_timer_before_anything_is_typed(
    seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    timetrack.start_timer(seeded.db, Clock(NOW - timedelta(days=1)), "tooling")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, LineModal))
        await pilot.pause()
        assert _preview(app) == "→ keep it as it is"
