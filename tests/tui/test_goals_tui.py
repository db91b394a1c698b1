"""Goals, PRDs and the status report in the app: R on the week screen, the goals
screen (6), the PRD editor (p), the roadmap grouped by goal (g)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Seeded
from tests.tui.conftest import SIZE, Workspace, location_for, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import goals


async def test_r_on_the_week_screen_writes_the_status_report(
    seeded: Seeded, db_path: Path, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_REPORTS", str(tmp_path / "reports"))
    goal = goals.create_goal(seeded.db, clock, "Customers bill themselves")
    goals.link_epic(seeded.db, clock, seeded.epic, goal.id)
    app = TpmApp(Workspace(location_for(db_path), clock, name="~/work/tpm.db"))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", WeekScreen)
        await pilot.press("left_square_bracket", "R")  # R waits for W47 to show
        await wait_until(pilot, lambda: not app.screen._pending)  # type: ignore[attr-defined]
    written = sorted((tmp_path / "reports").iterdir())
    assert [p.name for p in written] == ["status-2026-W47-data.md"]
    text = written[0].read_text(encoding="utf-8")
    assert text.startswith("# Status, week 2026-W47 (Mon 16 Nov – Sun 22 Nov 2026)\n")
    assert "| #1 Self-serve invoicing |" in text
    assert "G1 Customers bill themselves" in text
