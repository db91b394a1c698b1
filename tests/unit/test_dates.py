"""Dates, weeks and clock times as people type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from tpm_tui.dates import DateError, parse_clock_time, parse_day, parse_week, week_label

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", THURSDAY),
        ("yesterday", date(2026, 11, 25)),
        ("2026-11-20", date(2026, 11, 20)),
        ("mon", date(2026, 11, 23)),
        ("Monday", date(2026, 11, 23)),
        ("thursday", THURSDAY),  # the most recent Thursday is today
        ("fri", date(2026, 11, 20)),  # the most recent Friday was last week
        ("su", date(2026, 11, 22)),
    ],
)
def test_days(text: str, expected: date) -> None:
    assert parse_day(text, THURSDAY) == expected


@pytest.mark.parametrize("text", ["tomorrow-ish", "t", "2026-13-01", "", "s"])
def test_bad_days(text: str) -> None:
    with pytest.raises(DateError, match="yesterday"):
        parse_day(text, THURSDAY)


def test_weeks_including_week_53() -> None:
    assert parse_week("2026-W48") == date(2026, 11, 23)
    assert parse_week("2026w48") == date(2026, 11, 23)
    assert parse_week("2026-11-26") == date(2026, 11, 23)
    assert parse_week("2020-W53") == date(2020, 12, 28)
    assert week_label(date(2021, 1, 1) - date.resolution * 4) == "2020-W53"
    assert parse_week("2026-W53") == date(2026, 12, 28)  # 2026 ends on a Thursday
    with pytest.raises(DateError, match="2025 has no week 53"):
        parse_week("2025-W53")


def test_clock_times() -> None:
    assert parse_clock_time("17:30") == time(17, 30)
    assert parse_clock_time("9:05") == time(9, 5)
    assert parse_clock_time("1730") == time(17, 30)
    with pytest.raises(DateError):
        parse_clock_time("25:00")
