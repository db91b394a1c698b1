"""`M` on the time screen: the week's meetings from the calendar file in a preview;
space unticks one, enter logs the ticked ones, esc logs nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.conftest import NOW
from tests.tui.conftest import SIZE, wait_until
from tests.tui.helpers import open_screen, record_notifications
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.screens.meetings_preview import MeetingsPreview
from tpm_tui.screens.time import TimeScreen
from tpm_tui.services import settings, timetrack

EVENT = """BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261101T000000Z\r
SUMMARY:{title}\r
DTSTART;TZID=Europe/Berlin:{start}\r
DTEND;TZID=Europe/Berlin:{end}\r
{extra}END:VEVENT\r
"""


def _calendar(tmp_path: Path) -> Path:
    """Four events of this week (Mon 23 - Thu 26 Nov 2026, before 10:00 on Thursday):
    a daily standup (Mon-Wed), a planning, a declined review and one not over yet."""
    events = [
        EVENT.format(
            uid="standup@x",
            title="Standup",
            start="20261123T093000",
            end="20261123T094500",
            extra="RRULE:FREQ=DAILY;COUNT=3\r\n",
        ),
        EVENT.format(
            uid="planning@x",
            title="Planning",
            start="20261124T140000",
            end="20261124T150000",
            extra="",
        ),
        EVENT.format(
            uid="review@x",
            title="Design review",
            start="20261125T160000",
            end="20261125T170000",
            extra="ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com\r\n",
        ),
        EVENT.format(
            uid="later@x",
            title="Retro",
            start="20261126T150000",
            end="20261126T160000",
            extra="",
        ),
    ]
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + "".join(events)
    path = tmp_path / "work.ics"
    path.write_text(text + "END:VCALENDAR\r\n")
    return path


def _meetings(db: Database, clock: Clock) -> list[str]:
    start, end = clock.day_bounds(NOW.date() - timedelta(days=3), 4)
    return sorted(
        f"{e.started_at.astimezone(NOW.tzinfo):%a %H:%M} {e.note}"
        for e in timetrack.entries_between(db, clock, start, end)
        if e.category.value == "meetings"
    )


@pytest.fixture
def calendar(db: Database, tmp_path: Path) -> Path:
    """The calendar file, set as the one M reads, with the user's address."""
    path = _calendar(tmp_path)
    settings.set_setting(db, "meetings-file", str(path))
    settings.set_setting(db, "email", "me@example.com")
    return path


async def test_m_previews_the_week_and_logs_only_the_ticked(
    db: Database, clock: Clock, make_app: Callable[..., TpmApp], calendar: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "3", TimeScreen)
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MeetingsPreview))
        preview = app.screen
        assert isinstance(preview, MeetingsPreview)
        table = preview.query_one("#meetings", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [(r[0], r[5], r[6]) for r in rows] == [
            ("☑", "Standup", "log"),
            ("☑", "Standup", "log"),
            ("☑", "Planning", "log"),
            ("☑", "Standup", "log"),
            (" ", "Design review", "skip: declined"),
            (" ", "Retro", "skip: not over yet"),
        ]
        await pilot.press("down", "down", "space")  # untick the planning
        assert "3 ticked (45m)" in str(preview.query_one("#meetings-summary").render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TimeScreen))
        await wait_until(pilot, lambda: len(_meetings(db, clock)) == 3)
        assert _meetings(db, clock) == [
            "Mon 09:30 Standup",
            "Tue 09:30 Standup",
            "Wed 09:30 Standup",
        ]
        # Again: what is logged shows as such and starts unticked; esc logs nothing.
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MeetingsPreview))
        table = app.screen.query_one("#meetings", DataTable)
        marks = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert marks == [" ", " ", "☑", " ", " ", " "]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TimeScreen))
        await pilot.pause()
        assert len(_meetings(db, clock)) == 3


async def test_m_without_a_calendar_file_says_how_to_name_one(
    make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    said = record_notifications(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "3", TimeScreen)
        await pilot.press("M")
        await wait_until(pilot, lambda: any("no calendar file yet" in s for s in said))
        assert isinstance(app.screen, TimeScreen)
