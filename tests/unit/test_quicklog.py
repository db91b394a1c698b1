"""The quick-log grammar."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Category
from tpm_tui.services.quicklog import QuickLog, describe, parse_quick_log
from tpm_tui.timekeeper import TimeKeeper

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL

TODAY = date(2026, 11, 26)


def test_full_line() -> None:
    entry = parse_quick_log("45m m sprint planning #12 @yesterday", TODAY)
    assert entry == QuickLog(45, Category.MEETINGS, "sprint planning", 12, date(2026, 11, 25))
    assert describe(entry, TODAY, "Export invoices") == (
        "45m · meetings · sprint planning · #12 Export invoices · Wed 25 Nov"
    )


def test_item_and_date_anywhere_after_the_category() -> None:
    entry = parse_quick_log("1h30m tooling #7 backlog @mon grooming", TODAY)
    expected = (90, "backlog grooming", 7, date(2026, 11, 23))
    assert (entry.minutes, entry.note, entry.item_id, entry.day) == expected
    assert describe(parse_quick_log("30 d", TODAY), TODAY) == "30m · deliverables"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type DURATION CATEGORY"),
        ("45m", "add a category"),
        ("45x m", "is not a duration"),
        ("0m m", "the duration is zero"),
        ("45m q", "unknown category 'q'"),
        ("45m m #1 #2", "one #item per entry"),
        ("45m m @mon @tue", "one @date per entry"),
        ("45m m @soon", "'soon' is not a date"),
        ("45m m @2026-12-01", "is in the future"),
    ],
)
def test_refusals_say_what_to_type(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_quick_log(text, TODAY)
    assert message in str(error.value)


@given(st.text(max_size=60))
def test_any_line_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        entry = parse_quick_log(text, TODAY)
    except InvalidInput:
        return
    assert entry.minutes > 0 and entry.category in Category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h30 m", (90, None, None, None)),
        ("9:00-9:30 m standup", (30, time(9), time(9, 30), None)),
        ("45m m planning @14:00", (45, time(14), None, None)),
        ("45m m planning @yesterday @14:00", (45, time(14), None, date(2026, 11, 25))),
        ("45m m @1400 planning @mon", (45, time(14), None, date(2026, 11, 23))),
        ("22:00-00:00 d @yesterday", (120, time(22), time(0), date(2026, 11, 25))),
    ],
)
def test_spans_and_start_times(text: str, expected: tuple[object, ...]) -> None:
    entry = parse_quick_log(text, TODAY)
    assert (entry.minutes, entry.starts, entry.ends, entry.day) == expected
    assert entry.duration == (None if entry.ends else entry.minutes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9:30-9:00 m", "ends before it starts"),
        ("9:00-9:30 m @10:00", "already says when"),
        ("45m m @9:00 @10:00", "one @time per entry"),
        ("45m m @25:00", "or the time it started"),
        ("45m m @9:00+01:00", "or the time it started"),
        ("45m m @1950-01-01", "out of range"),
    ],
)
def test_span_and_time_refusals(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_quick_log(text, TODAY)


class _Workspace:
    """What TimeKeeper needs of a workspace, without the TUI."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    def open(self) -> Database:
        return self.db


def test_the_preview_refuses_what_the_save_refuses(db: Database, clock: Clock) -> None:
    keeper = TimeKeeper(_Workspace(db, clock))  # type: ignore[arg-type]
    for line in ["25h m", "11h m", "30m m #999", "45m m @16:00", "9:00-11:00 m"]:
        with pytest.raises(InvalidInput):
            keeper.quick_check(line)
        with pytest.raises(InvalidInput):
            keeper.quick_save(line)
    assert (
        keeper.quick_check("1h30 m @yesterday @14:00")
        == "1h30m · meetings · Wed 25 Nov 14:00–15:30"
    )
    assert keeper.quick_save("1h30 m @yesterday @14:00") == (
        "Logged 1h30m meetings (Wed 25 Nov 14:00–15:30)"
    )
    keeper.quick_save("90m m")  # 08:30-10:00
    assert keeper.quick_check("1h t @9:00").endswith(" · overlaps 08:30–10:00 meetings")


def test_a_span_to_midnight_and_a_broken_span_say_so() -> None:
    assert parse_quick_log("22:00-24:00 d", TODAY).ends == time(0, 0)
    with pytest.raises(InvalidInput, match="neither a duration nor a span"):
        parse_quick_log("9:60-10:00 m", TODAY)
