"""The duration parser accepts exactly the documented forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpm_tui.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30m", 30),
        ("1h", 60),
        ("1h30m", 90),
        ("1.5h", 90),
        ("0.25h", 15),
        ("1:30", 90),
        ("0:05", 5),
        ("90", 90),
        (" 45M ", 45),
        ("2H15M", 135),
        ("10min", 10),
        ("1h30", 90),
        ("2h05", 125),
    ],
)
def test_accepted_forms(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "-30m",
        "1h70m",
        "1:75",
        "1.33h",
        "30s",
        "1d",
        "1h75",
        "h",
        "m",
        "1..5h",
        "1e3",
        "+5",
        "1h 30m x",
    ],
)
def test_rejected_forms_name_the_accepted_ones(text: str) -> None:
    with pytest.raises(DurationError) as error:
        parse_duration(text)
    message = str(error.value)
    assert "1h30m" in message or "under 60" in message


def test_format() -> None:
    assert [format_duration(m) for m in (0, 5, 60, 90, 605)] == [
        "0m",
        "5m",
        "1h",
        "1h30m",
        "10h05m",
    ]


@given(st.integers(min_value=0, max_value=10**6))
def test_format_then_parse_gives_back_the_minutes(minutes: int) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@given(st.text(max_size=20))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        minutes = parse_duration(text)
    except DurationError:
        return
    assert minutes >= 0
