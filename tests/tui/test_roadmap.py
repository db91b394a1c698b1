"""The roadmap screen through its keys: what the database holds afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import SIZE, settle, wait_until
from tests.tui.helpers import open_screen, record_notifications
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.roadmap import RoadmapScreen
from tpm_tui.services import backlog, planning
from tpm_tui.services.roadmap import Zoom
from tpm_tui.widgets.timeline import Timeline


def _dates(db: Database, item_id: int) -> tuple[date | None, date | None]:
    item = backlog.get_item(db, item_id)
    return item.start_date, item.target_date


async def _roadmap(pilot: Pilot[Any], app: TpmApp) -> RoadmapScreen:
    return await open_screen(pilot, "2", RoadmapScreen)


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
        await settle(app)
        await pilot.pause()
        assert screen.roadmap is not None and screen.roadmap.rows[0].outside_epic
        await pilot.press("z")  # months: a shift is a month
        await pilot.press("L")
        await wait_until(
            pilot, lambda: _dates(db, feature.id) == (date(2026, 12, 16), date(2027, 1, 4))
        )
        for _ in range(7):  # seven date changes, seven undos
            await pilot.press("u")
            await settle(app)
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


async def test_zoom_stops_at_either_end_and_says_so(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    said = record_notifications(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _roadmap(pilot, app)
        timeline = screen.query_one(Timeline)
        await pilot.press("z", "z")
        assert timeline.zoom is Zoom.QUARTERS
        await pilot.press("z")
        assert timeline.zoom is Zoom.QUARTERS  # no wrap to weeks
        assert any("as far as it goes (quarters)" in s for s in said)
        await pilot.press("minus", "minus", "minus")
        assert timeline.zoom is Zoom.WEEKS  # no wrap to quarters
        assert any("in as far as it goes (weeks)" in s for s in said)


async def test_saved_changes_and_undos_say_what_they_were(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Input

    from tpm_tui.screens.item_form import ItemForm

    said = record_notifications(monkeypatch)
    epic = backlog.create_item(
        db, clock, "epic", "Billing", start_date=date(2026, 11, 2), target_date=date(2026, 12, 4)
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _roadmap(pilot, app)
        await pilot.press("L")
        await wait_until(pilot, lambda: any("Saved the shift" in s for s in said))
        assert f"Saved the shift: #{epic.id} now runs 09 Nov – 11 Dec 2026 · u undoes" in said
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm))
        app.screen.query_one("#field-title", Input).value = "Usage billing"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert f": Saved the edit of #{epic.id} (title) · u undoes" in said
        await pilot.press("u")
        await wait_until(pilot, lambda: backlog.get_item(db, epic.id).title == "Billing")
        await pilot.press("u")
        await wait_until(pilot, lambda: _dates(db, epic.id)[0] == date(2026, 11, 2))
        await settle(app)
        assert f": Undid the edit of #{epic.id} (title)" in said
        assert f": Undid the shift of #{epic.id}" in said


def _seed_late_and_long(db: Database, clock: Clock) -> None:
    """Bars that run past the right edge and one that ended before the chart starts."""
    from tpm_tui.services import planning

    for title, start, target, status in [
        (
            "Platform rewrite that runs for a very long time",
            date(2026, 10, 5),
            date(2027, 9, 30),
            "in_progress",
        ),
        ("Payments reliability", date(2026, 10, 5), date(2026, 12, 18), "in_progress"),
        ("Usage metering", date(2026, 6, 1), date(2026, 8, 20), "in_progress"),
        ("Dunning emails", date(2026, 9, 7), date(2026, 10, 30), "done"),
    ]:
        item = backlog.create_item(
            db, clock, "epic", title, start_date=start, target_date=target, status=status
        )
        backlog.create_item(db, clock, "story", "work", points=5, parent_id=item.id, status="todo")
    planning.create_milestone(db, "Beta", date(2026, 12, 15))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_status_words_stay_on_screen_and_today_never_hides_a_label(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], size: tuple[int, int]
) -> None:
    _seed_late_and_long(db, clock)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _roadmap(pilot, app)
        timeline = screen.query_one(Timeline)
        assert screen.roadmap is not None
        for zoom in (Zoom.WEEKS, Zoom.MONTHS, Zoom.QUARTERS):
            assert timeline.zoom is zoom
            lines = [timeline.render_line(y).text for y in range(timeline.size.height)]
            for row in screen.roadmap.rows:
                line = next(line for line in lines if f"#{row.item.id} " in line)
                assert f"{row.done_percent}% {row.status.value}" in line, (zoom, line)
                assert len(line) == size[0]
            axis = lines[0]
            if zoom is Zoom.WEEKS:
                assert "W48" in axis and "▼" not in axis  # today (Thu) falls on "W48"
            await pilot.press("z")
