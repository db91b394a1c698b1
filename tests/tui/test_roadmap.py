"""The roadmap screen through its keys: what the database holds afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tests.tui.conftest import SIZE, board_ready, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.roadmap import RoadmapScreen
from tpm_tui.services import backlog, planning
from tpm_tui.widgets.timeline import Timeline


def _dates(db: Database, item_id: int) -> tuple[date | None, date | None]:
    item = backlog.get_item(db, item_id)
    return item.start_date, item.target_date


async def _roadmap(pilot, app: TpmApp) -> RoadmapScreen:  # type: ignore[no-untyped-def]
    await board_ready(pilot)
    await pilot.press("2")
    await wait_until(
        pilot, lambda: isinstance(app.screen, RoadmapScreen) and app.screen.roadmap is not None
    )
    screen = app.screen
    assert isinstance(screen, RoadmapScreen)
    return screen


async def test_keys_change_the_dates_exactly_and_undo_restores_them(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    epic = backlog.create_item(
        db, clock, "epic", "Billing", start_date=date(2026, 11, 2), target_date=date(2026, 12, 4)
    )
    feature = backlog.create_item(
        db,
        clock,
        "feature",
        "Export",
        parent_id=epic.id,
        start_date=date(2026, 11, 9),
        target_date=date(2026, 11, 27),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _roadmap(pilot, app)
        timeline = screen.query_one(Timeline)
        assert timeline.selected_item_id() == epic.id
        await pilot.press("L")
        await wait_until(
            pilot, lambda: _dates(db, epic.id) == (date(2026, 11, 9), date(2026, 12, 11))
        )
        await pilot.press("greater_than_sign")
        await wait_until(
            pilot, lambda: _dates(db, epic.id) == (date(2026, 11, 9), date(2026, 12, 18))
        )
        await pilot.press("less_than_sign", "less_than_sign")
        await wait_until(
            pilot, lambda: _dates(db, epic.id) == (date(2026, 11, 9), date(2026, 12, 4))
        )
        await pilot.press("H")
        await wait_until(
            pilot, lambda: _dates(db, epic.id) == (date(2026, 11, 2), date(2026, 11, 27))
        )
        await pilot.press("j", "L")  # the feature: its epic does not move, but is flagged
        await wait_until(
            pilot, lambda: _dates(db, feature.id) == (date(2026, 11, 16), date(2026, 12, 4))
        )
        assert _dates(db, epic.id) == (date(2026, 11, 2), date(2026, 11, 27))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.roadmap is not None and screen.roadmap.rows[0].outside_epic
        await pilot.press("z")  # months: a shift is a month
        await pilot.press("L")
        await wait_until(
            pilot, lambda: _dates(db, feature.id) == (date(2026, 12, 16), date(2027, 1, 4))
        )
        for _ in range(7):  # seven date changes, seven undos
            await pilot.press("u")
            await app.workers.wait_for_complete()
        assert _dates(db, epic.id) == (date(2026, 11, 2), date(2026, 12, 4))
        assert _dates(db, feature.id) == (date(2026, 11, 9), date(2026, 11, 27))


async def test_milestone_fold_and_an_undated_item(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    epic = backlog.create_item(
        db, clock, "epic", "Billing", start_date=date(2026, 11, 2), target_date=date(2026, 12, 4)
    )
    backlog.create_item(
        db,
        clock,
        "feature",
        "Export",
        parent_id=epic.id,
        start_date=date(2026, 11, 9),
        target_date=date(2026, 11, 27),
    )
    someday = backlog.create_item(db, clock, "epic", "Someday")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _roadmap(pilot, app)
        timeline = screen.query_one(Timeline)
        assert f"#{someday.id} Someday" in str(screen.query_one("#roadmap-unscheduled").render())
        await pilot.press("space")
        assert len(timeline.visible_rows()) == 2  # Billing folded, Someday
        await pilot.press("space")
        assert len(timeline.visible_rows()) == 3
        await pilot.press("m", *"Beta launch")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(planning.list_milestones(db)))
        assert [(m.title, m.date) for m in planning.list_milestones(db)] == [
            ("Beta launch", date(2026, 12, 4))
        ]
        await pilot.press("j", "j", "L")  # Someday has no dates: refused with a note
        await pilot.pause()
        assert _dates(db, someday.id) == (None, None)
