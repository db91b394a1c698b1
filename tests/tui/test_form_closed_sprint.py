"""The item form's Sprint field offers the open sprints only, plus the item's own
sprint when it is closed (named so): left as it is, the field saves nothing, and the
item's other fields save as usual."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, Select

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.unit.test_closed_sprint_membership import close_sprint_24
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.screens.item_editing import edit_form
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog

pytestmark = pytest.mark.both_engines


def _sprints_offered(form: ItemForm) -> list[tuple[str, Any]]:
    select = form.query_one("#field-sprint_id", Select)
    return [(str(prompt), value) for prompt, value in select._options if value is not Select.NULL]


async def test_the_form_offers_open_sprints_and_keeps_a_closed_one_as_it_is(
    seeded: Seeded, make_app: Callable[..., TpmApp], clock: Clock
) -> None:
    following = close_sprint_24(seeded, clock)  # the done bug stays in Sprint 24
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        assert _sprints_offered(app.screen) == [("Sprint 25", following)]  # type: ignore[arg-type]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ItemForm))

        form = edit_form(seeded.db, clock, seeded.bug, lambda _step: None)
        app.push_screen(form)
        await wait_until(pilot, lambda: app.screen is form and form.is_mounted)
        assert _sprints_offered(form) == [
            ("Sprint 24 (closed)", seeded.sprint),
            ("Sprint 25", following),
        ]
        assert form.query_one("#field-sprint_id", Select).value == seeded.sprint
        form.query_one("#field-title", Input).focus()
        await pilot.press("end", *" (fixed)", "ctrl+s")
        await wait_until(pilot, lambda: app.screen is not form)
    bug = backlog.get_item(seeded.db, seeded.bug)
    assert (bug.title, bug.sprint_id) == ("PDF totals wrap (fixed)", seeded.sprint)
