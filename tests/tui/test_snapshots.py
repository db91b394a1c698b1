"""What the screens look like (120x40, frozen clock, seeded database, no blinking).
Look at the SVGs (or `rsvg-convert` them to PNG) before `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.pilot import Pilot

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, board_ready, settle, wait_until
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
        await settle(pilot.app)
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


def test_demo_board_at_80x24(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_demo_board_at_200x50(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    assert snap_compare(make_app(), terminal_size=(200, 50), run_before=_ready)


def _detail_open(keys: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        from tpm_tui.widgets.detail_pane import DetailPane

        board = await board_ready(pilot)
        await pilot.press(*keys)
        await wait_until(pilot, lambda: any(p.detail is not None for p in board.query(DetailPane)))
        await settle(pilot.app)
        await pilot.pause(0.2)

    return run


def test_detail_pane(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    backlog.edit_item(
        db,
        clock,
        10,
        description="Finance wants a **free-text note** on each invoice.\n\n"
        "- shown on the PDF\n- searchable\n\n[bold]not markup[/]",
        start_date=date(2026, 11, 30),
        target_date=date(2026, 12, 4),
    )
    backlog.add_dependency(db, 10, 7)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_detail_open("lji"))


def test_detail_pane_at_80x24(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_detail_open("vvi"))


def test_filter_with_an_error(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    build_demo(db, clock)

    async def wrong(pilot: Pilot[Any]) -> None:
        board = await board_ready(pilot)
        await pilot.press("slash", *"kind:debt points:=>3")
        await wait_until(pilot, lambda: bool(board.query_one("#filter-error").display))
        await settle(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=wrong)


def _screen(key: str, loaded: str) -> Any:
    """A run_before that opens the screen on `key` and waits for its `loaded` data."""

    async def run(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press(key)
        await wait_until(pilot, lambda: getattr(pilot.app.screen, loaded, None) is not None)
        await settle(pilot.app)
        await pilot.pause()

    return run


def _seed_week(db: Database, clock: Clock) -> None:
    """W48: meetings 55 % (above), tooling 35 % (within), deliverables 10 % (within);
    W47 for the trend."""
    from datetime import date, time

    from tpm_tui.services import timetrack

    story = backlog.create_item(db, clock, "story", "Export invoices").id
    for day, category, hours, note in [
        (date(2026, 11, 23), "meetings", 5, "sprint planning"),
        (date(2026, 11, 23), "tooling", 3, "backlog grooming"),
        (date(2026, 11, 24), "meetings", 6, "stakeholder sync"),
        (date(2026, 11, 24), "tooling", 4, "[bold]ticket[/] triage"),
        (date(2026, 11, 24), "deliverables", 2, "PRD"),
        (date(2026, 11, 17), "deliverables", 4, "spec"),
    ]:
        timetrack.log_entry(
            db, clock, hours * 60, category, note, day=day, item_id=story if hours < 4 else None
        )
    timetrack.log_entry(db, clock, 45, "meetings", "standup")
    timetrack.log_entry(db, clock, 30, "tooling", "overlapping triage", starts=time(9, 30))


def test_quick_log_with_a_preview(
    snap_compare: Any, seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    async def typing(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press("t", *f"45m m sprint planning #{seeded.story}")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=typing)


def test_quick_log_with_an_error(
    snap_compare: Any, seeded: Seeded, make_app: Callable[..., TpmApp]
) -> None:
    async def typing(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press("t", *"45m x standup")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=typing)


def test_time_screen(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_week(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_screen("3", "data"))


def test_week_screen(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_week(db, clock)
    from tpm_tui.services import timetrack

    timetrack.start_timer(
        db, Clock(clock.now() - __import__("datetime").timedelta(minutes=12)), "deliverables", "PRD"
    )

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_screen("4", "view"))


def test_empty_week(snap_compare: Any, db: Database, make_app: Callable[..., TpmApp]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_screen("4", "view"))


def test_wide_characters_keep_the_columns_aligned(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    for title, status in [
        ("請求書をPDFで出力する機能", "backlog"),
        ("🚀 Launch the 👩‍💻 developer portal", "backlog"),
        ("Ünïcödé façade for the café", "todo"),
        ("全角スペース　と　絵文字 🎉🎉🎉 が混ざったとても長いタイトル", "in_progress"),
        ("[bold]not bold[/] and \x1b[31mno colour", "review"),
    ]:
        backlog.create_item(db, clock, "story", title, points=3, status=status, owner="田中")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def _seed_roadmap(db: Database, clock: Clock) -> None:
    """On track, at risk, late and done epics (today: Thu 26 Nov 2026), a milestone."""
    from datetime import date

    from tpm_tui.services import planning

    def epic(title: str, start: date, target: date, done: int, total: int) -> int:
        item = backlog.create_item(
            db, clock, "epic", title, start_date=start, target_date=target, status="in_progress"
        )
        feature = backlog.create_item(
            db,
            clock,
            "feature",
            f"{title}: first cut",
            parent_id=item.id,
            start_date=start,
            target_date=target,
        )
        if done:
            backlog.create_item(
                db, clock, "story", "done", points=done, parent_id=feature.id, status="done"
            )
        if total > done:
            backlog.create_item(
                db, clock, "story", "to do", points=total - done, parent_id=feature.id
            )
        return item.id

    epic("Self-serve invoicing", date(2026, 11, 2), date(2026, 12, 31), 6, 10)  # on track
    epic("Payments reliability", date(2026, 10, 5), date(2026, 12, 18), 1, 10)  # at risk
    epic("Usage metering", date(2026, 9, 14), date(2026, 11, 20), 7, 10)  # late
    epic("Dunning emails", date(2026, 9, 7), date(2026, 10, 30), 5, 5)  # done
    backlog.create_item(db, clock, "epic", "Partner API (no dates yet)")
    planning.create_sprint(db, "Sprint 24", date(2026, 11, 23), date(2026, 12, 6))
    planning.create_milestone(db, "Beta", date(2026, 12, 15))


def _roadmap_at(zoom_presses: int) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "roadmap", None) is not None)
        for _ in range(zoom_presses):
            await pilot.press("z")
        await settle(pilot.app)
        await pilot.pause()

    return run


def test_roadmap_weeks(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_roadmap(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_roadmap_at(0))


def test_roadmap_months(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_roadmap(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_roadmap_at(1))


def test_roadmap_quarters(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_roadmap(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_roadmap_at(2))


def test_roadmap_empty(snap_compare: Any, db: Database, make_app: Callable[..., TpmApp]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_roadmap_at(0))
