"""Parse and format durations: strict, so a typo is refused instead of guessed."""

from __future__ import annotations

import re

from tpm_tui.errors import InvalidInput
from tpm_tui.timefmt import format_duration as format_duration
from tpm_tui.timefmt import format_hours as format_hours

ACCEPTED = "30m, 1h, 1h30m, 1.5h, 1:30 or 90 (minutes)"

_H_M = re.compile(r"(\d{1,5})h(\d{1,4})m?")  # 1h30m, or 1h30 as people write it
_H_DEC = re.compile(r"(\d{1,5}(?:\.\d{1,4})?)h")
_M = re.compile(r"(\d{1,7})m(?:in)?")
_CLOCK = re.compile(r"(\d{1,5}):(\d{2})")
_PLAIN = re.compile(r"\d{1,7}")


class DurationError(InvalidInput):
    """A duration that is not one of the accepted forms."""


def parse_duration(text: str) -> int:
    """Return the whole number of minutes written in `text`, or raise DurationError."""
    raw = text.strip().lower().replace(" ", "")
    if not raw:
        raise DurationError(f"empty duration: use {ACCEPTED}")
    if m := _H_M.fullmatch(raw):
        hours, minutes = int(m[1]), int(m[2])
        if minutes >= 60:
            raise DurationError(f"{text!r}: the minutes in 1h30m must be under 60")
        return hours * 60 + minutes
    if m := _H_DEC.fullmatch(raw):
        total = float(m[1]) * 60
        if abs(total - round(total)) > 1e-6:
            raise DurationError(f"{text!r} is not a whole number of minutes: use {ACCEPTED}")
        return round(total)
    if m := _M.fullmatch(raw):
        return int(m[1])
    if m := _CLOCK.fullmatch(raw):
        hours, minutes = int(m[1]), int(m[2])
        if minutes >= 60:
            raise DurationError(f"{text!r}: the minutes in 1:30 must be under 60")
        return hours * 60 + minutes
    if _PLAIN.fullmatch(raw):
        return int(raw)
    raise DurationError(f"{text!r} is not a duration: use {ACCEPTED}")
