"""What the screens look like (120x40, frozen clock, seeded database, no blinking).
Look at the SVGs (or `rsvg-convert` them to PNG) before `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.item_form import ItemForm
from tpm_tui.services import backlog
from tpm_tui.services.demo import build_demo


async def _ready(pilot: Pilot[Any]) -> None:
    await board_ready(pilot)


def test_empty_board(snap_compare: Any, db: Database, make_app: Callable[..., TpmApp]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_demo_board(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_column_over_its_wip_limit(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    backlog.move_item(db, clock, 11, "in_progress")  # In Progress now holds 6, limit 5
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_filtered_board(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)

    async def filtered(pilot: Pilot[Any]) -> None:
        board = await board_ready(pilot)
        await pilot.press("slash", *"kind:debt,bug points:>1")
        await wait_until(
            pilot, lambda: board.data is not None and board.data.item_filter.points is not None
        )
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=filtered)


def test_form_with_a_validation_error(
    snap_compare: Any, seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    async def bad_form(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ItemForm))
        await pilot.press(*"[bold]Export[/] to Excel")
        pilot.app.screen.query_one("#field-points").value = "144"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=bad_form)


def test_help_screen(snap_compare: Any, seeded: Seeded, make_app: Callable[..., TpmApp]) -> None:
    async def help_open(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=help_open)
