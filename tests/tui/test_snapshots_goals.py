"""What the goals screen, the PRD editor and the roadmap grouped by goal look like.
Look at the SVGs (as PNG) before `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.pilot import Pilot

from tests.tui.conftest import SIZE, board_ready, settle, wait_until
from tests.tui.test_snapshots import _roadmap_at, _seed_roadmap
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.services import goals, prd

PRD_TEXT = """# PRD: Self-serve invoicing

## Problem

A third of our support tickets ask us to fix, resend or **export** an invoice.

## Goals and non-goals

- Customers export, edit and resend invoices themselves.
- Not now: custom templates (`v2`).

## Users and stories

<!-- Who uses it and what they do. -->

## Requirements

1. Export a month of invoices as PDF or CSV.

## Metrics

Moves [KR1](#metrics) from 62 % to 90 %.
"""


def _seed_goals(db: Database, clock: Clock) -> None:
    """The roadmap's epics, two goals with key results measured over a month, a
    vision and a PRD."""
    _seed_roadmap(db, clock)
    goals.save_vision(
        db, clock, "# Vision\n\nSmall businesses get paid on time without thinking about it."
    )
    billing = goals.create_goal(db, clock, "Customers bill themselves", due_date=date(2027, 3, 31))
    payments = goals.create_goal(db, clock, "Every payment lands")
    sent = goals.add_key_result(db, clock, billing.id, "Invoices without a ticket", 62, 90, "%")
    tickets = goals.add_key_result(db, clock, billing.id, "Invoice tickets a week", 40, 15)
    for day, a, b in ((2, 64, 38), (9, 67, 36), (16, 71, 31), (23, 74, 30)):
        goals.record_value(db, clock, sent.id, a, date(2026, 11, day))
        goals.record_value(db, clock, tickets.id, b, date(2026, 11, day))
    goals.add_key_result(db, clock, payments.id, "Failed charges recovered", 20, 60, "%")
    goals.link_epic(db, clock, 1, billing.id)  # Self-serve invoicing
    goals.link_epic(db, clock, 13, billing.id)  # Dunning emails (done)
    goals.link_epic(db, clock, 5, payments.id)  # Payments reliability
    # Usage metering (#9) and the Partner API (#16) serve no goal.
    prd.save_prd(db, clock, 1, PRD_TEXT)


def _goals_screen(pilot: Pilot[Any]) -> Any:
    async def run() -> None:
        await board_ready(pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "goals", None) is not None)
        await settle(pilot.app)
        await pilot.pause()

    return run()


def test_goals_screen(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_goals(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_goals_screen)


def test_goals_screen_at_80x24(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_goals(db, clock)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_goals_screen)


def _prd_editor(preview: bool) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        from tpm_tui.screens.prd import DocumentEditor

        await _goals_screen(pilot)
        await pilot.press("down", "down", "down", "p")  # G1, its two key results, epic #1
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DocumentEditor))
        if preview:
            await pilot.press("f2")
            screen = pilot.app.screen
            await wait_until(
                pilot,
                lambda: (
                    bool(screen.query("#doc-preview"))
                    and bool(screen.query_one("#doc-preview").children)
                ),
            )
        await pilot.pause(0.5)  # the empty sections are told once typing would pause
        await settle(pilot.app)
        await pilot.pause()

    return run


def test_prd_editor_with_preview(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_goals(db, clock)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_prd_editor(True))


def test_prd_with_empty_sections_flagged(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_goals(db, clock)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_prd_editor(False))


def test_roadmap_grouped_by_goal(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_goals(db, clock)

    async def grouped(pilot: Pilot[Any]) -> None:
        await _roadmap_at(0)(pilot)
        await pilot.press("g")
        screen = pilot.app.screen
        await wait_until(pilot, lambda: bool(getattr(screen, "timeline").headers))  # noqa: B009
        await settle(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=grouped)
