"""A new item's form opens with the owner a new item gets unless told: me on a team
database (what I file is mine until I give it away), nobody in a SQLite workspace; and
saving it stores what the field shows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Input

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.db import Database
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog

pytestmark = pytest.mark.both_engines


async def test_a_new_item_form_offers_me_as_owner_on_a_team_database(
    seeded: Seeded, db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_USER", "ana")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        form = app.screen
        owner = form.query_one("#field-owner", Input).value
        assert owner == ("" if db.is_sqlite else "ana")
        await pilot.press(*"Usage alerts", "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))
    (made,) = [i for i in backlog.list_items(db) if i.title == "Usage alerts"]
    assert made.owner == owner
