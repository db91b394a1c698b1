"""E and C on the week screen: each workspace writes its own files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import location_for
from tests.tui.conftest import SIZE, Workspace, settle, wait_until
from tests.tui.helpers import open_screen
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.screens.week import WeekScreen
from tpm_tui.services import timetrack


async def _export(path: Path, clock: Clock, *keys: str) -> None:
    app = TpmApp(Workspace(location_for(path), clock))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", WeekScreen)
        await pilot.press(*keys)
        await wait_until(pilot, lambda: not app.screen._pending)  # type: ignore[attr-defined]
        await settle(app)


async def test_two_workspaces_never_overwrite_each_others_reports(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_REPORTS", str(tmp_path / "reports"))
    default = tmp_path / "home" / "tpm.db"
    monkeypatch.setattr("tpm_tui.config.default_data_dir", lambda: default.parent)
    work = tmp_path / "elsewhere" / "work.db"
    for path, minutes in ((default, 30), (work, 90)):
        db = open_database(location_for(path))
        timetrack.log_entry(db, clock, minutes, "tooling", day=date(2026, 11, 24))
        timetrack.log_entry(db, clock, minutes, "meetings", day=date(2026, 11, 17))
        db.close()
    await _export(default, clock, "E")
    await _export(work, clock, "E", "left_square_bracket", "C")  # C waits for W47 to show
    reports = tmp_path / "reports"
    tag = Workspace(location_for(work), clock).file_tag
    assert sorted(p.name for p in reports.iterdir()) == [
        f"week-2026-W47-{tag}.csv",
        f"week-2026-W48-{tag}.md",
        "week-2026-W48.md",
    ]
    assert "30m" in (reports / "week-2026-W48.md").read_text()
    assert "1h30m" in (reports / f"week-2026-W48-{tag}.md").read_text()
    assert "2026-11-17,90,0,0,90" in (reports / f"week-2026-W47-{tag}.csv").read_text()


def test_the_file_tag_names_the_workspace(tmp_path: Path, clock: Clock) -> None:
    def tag(location: Location) -> str:
        return Workspace(location, clock).file_tag

    assert re.fullmatch(r"work-[0-9a-f]{6}", tag(location_for(tmp_path / "work.db")))
    assert re.fullmatch(r"acme-[0-9a-f]{6}", tag(location_for(tmp_path / "acme" / "tpm.db")))
    assert re.fullmatch(
        r"Q4-plan-rm--rf-[0-9a-f]{6}", tag(location_for(tmp_path / "Q4 plan; rm -rf.db"))
    )
    assert re.fullmatch(
        r"team_board-[0-9a-f]{6}", tag(Location("postgresql://ana@db/team_board", None, "--db"))
    )
    assert tag(Location(f"sqlite:///{tmp_path}/x/tpm.db", tmp_path / "x/tpm.db", "demo")) == "demo"


def test_two_files_of_one_name_have_their_own_tags(tmp_path: Path, clock: Clock) -> None:
    """a/q.db and b/other/q.db wrote the same week-2026-W48-q.md, one over the other."""

    def tag(path: Path) -> str:
        return Workspace(location_for(path), clock).file_tag

    first, second = tmp_path / "a" / "q.db", tmp_path / "b" / "other" / "q.db"
    assert tag(first) != tag(second)
    assert tag(first) == tag(first)  # stable: the same workspace keeps its file names
    link = tmp_path / "link.db"
    link.symlink_to(first)
    assert tag(link) == tag(first)  # the file, however it is reached
