"""A column of thousands builds and measures only the cards on screen: first paint and
a move cost the same at 5,000 cards as at 50."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.content import Content

from tests.tui.conftest import SIZE, board_ready
from tpm_tui.app import TpmApp
from tpm_tui.db import Database
from tpm_tui.models import WorkItem

CARDS = 5000
COLUMNS = ["backlog", "todo", "in_progress", "review", "done"]


def _seed(db: Database, cards: int) -> None:
    now = datetime.now(UTC)
    with db.orm_write() as session:
        session.add_all(
            WorkItem(
                kind="story",
                title=f"Story number {i} about a customer-facing change",
                status=COLUMNS[i % 5],
                rank=i,
                points=3,
                created_at=now,
                updated_at=now,
            )
            for i in range(cards)
        )


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many texts were measured (`get_height`) and built (`assemble`)."""
    counts = {"get_height": 0, "assemble": 0}
    get_height, assemble = Content.get_height, Content.assemble.__func__  # type: ignore[attr-defined]

    def counting_get_height(self: Content, *args: Any, **kwargs: Any) -> int:
        counts["get_height"] += 1
        return get_height(self, *args, **kwargs)

    def counting_assemble(cls: type[Content], *args: Any, **kwargs: Any) -> Content:
        counts["assemble"] += 1
        return assemble(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Content, "get_height", counting_get_height)
    monkeypatch.setattr(Content, "assemble", classmethod(counting_assemble))
    yield counts


async def test_thousands_of_cards_build_only_what_is_on_screen(
    db: Database, make_app: Callable[..., TpmApp], counted: dict[str, int]
) -> None:
    _seed(db, CARDS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert sum(len(c.ids) for c in board.columns.values()) == CARDS
        on_screen = 5 * SIZE[1]  # a generous bound: fewer cards than lines fit
        assert counted["get_height"] < on_screen, counted
        assert counted["assemble"] < 4 * on_screen, counted
        counted.update(get_height=0, assemble=0)
        await pilot.press("L")
        await pilot.pause()
        assert counted["get_height"] < on_screen and counted["assemble"] < 4 * on_screen, counted
