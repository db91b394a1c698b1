"""The quick-log line: `DURATION CATEGORY [NOTE…] [#ID] [@DATE] [@HH:MM]`, or a span
(`9:00-9:30`) in place of the duration: the same durations, category prefixes and
dates as `tpm log`, read strictly so the preview shows exactly what enter will save."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from tpm_tui.dates import (
    DateError,
    day_words,
    parse_clock_time,
    parse_day,
    parse_span,
    span_minutes,
)
from tpm_tui.durations import ACCEPTED, DurationError, format_duration, parse_duration
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Category, parse_category
from tpm_tui.services import validate

if TYPE_CHECKING:
    from tpm_tui.services.timetrack import EntryPlan

GRAMMAR = (
    "DURATION CATEGORY [note…] [#item] [@date] [@HH:MM], or a span (9:00-9:30) for the "
    "duration, e.g. 45m m sprint planning #12"
)
_ITEM = re.compile(r"#(\d+)")  # every #digits word names an item, whatever its length


@dataclass(frozen=True)
class QuickLog:
    """A parsed quick-log line; `starts` (and `ends`, for a span) when a time was given."""

    minutes: int
    category: Category
    note: str
    item_id: int | None
    day: date | None
    starts: time | None = None
    ends: time | None = None

    @property
    def duration(self) -> int | None:
        """The minutes to log when no span says them (None for a span)."""
        return None if self.ends is not None else self.minutes


def parse_length(text: str) -> tuple[int, tuple[time, time] | None]:
    """A duration (`45m`) or a span (`9:00-9:30`): its minutes, and the span if it is
    one. The quick log and `tpm log` read their first word here."""
    span = parse_span(text)
    if span is not None:
        return span_minutes(*span), span
    try:
        return parse_duration(text), None
    except DurationError:
        if "-" not in text and "–" not in text:
            raise
    raise DurationError(
        f"{text!r} is neither a duration nor a span: use {ACCEPTED}, or a span such as 9:00-9:30"
    )


def parse_quick_log(text: str, today: date) -> QuickLog:
    """Read a quick-log line; raise InvalidInput saying what is missing or wrong."""
    words = text.split()
    if not words:
        raise InvalidInput(f"type {GRAMMAR}", "quick_log")
    minutes, span = parse_length(words[0])
    starts, ends = span if span is not None else (None, None)
    if minutes <= 0:
        raise InvalidInput("the duration is zero: log at least 1m", "quick_log")
    if len(words) < 2:
        raise InvalidInput("add a category: m(eetings), t(ooling) or d(eliverables)", "quick_log")
    category = parse_category(words[1])
    note: list[str] = []
    item_id: int | None = None
    day: date | None = None
    for word in words[2:]:
        if m := _ITEM.fullmatch(word):
            if item_id is not None:
                raise InvalidInput("one #item per entry", "quick_log")
            item_id = _item_id(m[1])
        elif word.startswith("@") and len(word) > 1:
            when = _date_or_time(word[1:], today)
            if isinstance(when, date):
                if day is not None:
                    raise InvalidInput("one @date per entry", "quick_log")
                if when > today:
                    raise InvalidInput(
                        f"{when} is in the future: log time once it is spent", "quick_log"
                    )
                day = when
            elif span is not None:
                raise InvalidInput(f"{words[0]} already says when: leave out {word}", "quick_log")
            elif starts is not None:
                raise InvalidInput("one @time per entry", "quick_log")
            else:
                starts = when
        else:
            note.append(word)
    return QuickLog(minutes, category, " ".join(note), item_id, day, starts, ends)


def _item_id(digits: str) -> int:
    """The id an `#item` names; one too long to be any item's is refused (in a short
    line: the digits may be thousands long), never taken for note text."""
    if len(digits) > len(str(validate.ID_MAX)) or int(digits) > validate.ID_MAX:
        shown = digits if len(digits) <= 12 else f"{digits[:12]}…"
        raise InvalidInput(
            f"#{shown} is too long to be an item id: `tpm list` shows the ids", "item_id"
        )
    return int(digits)


def _date_or_time(text: str, today: date) -> date | time:
    """What follows an `@`: a date (`yesterday`, `2026-11-20`) or a time of day (`14:00`)."""
    try:
        return parse_day(text, today)
    except DateError as not_a_date:
        if "out of range" in str(not_a_date) or not any(ch.isdigit() for ch in text):
            raise
    clock_time: time | None = None
    with contextlib.suppress(DateError):
        clock_time = parse_clock_time(text)
    if clock_time is None or clock_time.tzinfo is not None:
        raise DateError(
            f"@{text}: use a date (@yesterday, @2026-11-20) or the time it started (@14:00)",
            "quick_log",
        )
    return clock_time


def describe(
    entry: QuickLog, today: date, item_title: str | None = None, plan: EntryPlan | None = None
) -> str:
    """`45m · meetings · sprint planning · #12 Export invoices · Wed 25 Nov`, with the
    times when the line gave one, and the entries it would overlap when `plan` says."""
    parts = [format_duration(plan.minutes if plan else entry.minutes), entry.category.value]
    if entry.note:
        parts.append(entry.note)
    if entry.item_id is not None:
        title = item_title or "(no such item)"
        parts.append(f"#{entry.item_id} {title}")
    when = []
    if entry.day is not None and entry.day != today:
        when.append(day_words(entry.day, today))
    if entry.starts is not None:
        if plan is not None:
            when.append(f"{plan.started_at:%H:%M}–{plan.ended_at:%H:%M}")
        else:
            when.append(f"from {entry.starts:%H:%M}")
    if when:
        parts.append(" ".join(when))
    if plan is not None and plan.overlaps:
        first = plan.overlaps[0]
        more = f" and {len(plan.overlaps) - 1} more" if len(plan.overlaps) > 1 else ""
        parts.append(f"overlaps {first.times()} {first.category.value}{more}")
    return " · ".join(parts)


def parse_timer_line(text: str) -> tuple[Category, str, int | None]:
    """`CATEGORY [note…] [#item]` for starting a timer."""
    words = text.split()
    if not words:
        raise InvalidInput("type m, t or d (then an optional note and #item)", "timer")
    category = parse_category(words[0])
    note: list[str] = []
    item_id: int | None = None
    for word in words[1:]:
        if m := _ITEM.fullmatch(word):
            if item_id is not None:
                raise InvalidInput("one #item per timer", "timer")
            item_id = _item_id(m[1])
        else:
            note.append(word)
    return category, " ".join(note), item_id
