"""The quick-log line: `DURATION CATEGORY [NOTE…] [#ID] [@DATE]`, the same durations,
category prefixes and dates as `tpm log`, read strictly so the preview shows exactly
what enter will save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tpm_tui.dates import parse_day
from tpm_tui.durations import format_duration, parse_duration
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Category, parse_category

GRAMMAR = "DURATION CATEGORY [note…] [#item] [@date], e.g. 45m m sprint planning #12"
_ITEM = re.compile(r"#(\d{1,9})")


@dataclass(frozen=True)
class QuickLog:
    """A parsed quick-log line."""

    minutes: int
    category: Category
    note: str
    item_id: int | None
    day: date | None


def parse_quick_log(text: str, today: date) -> QuickLog:
    """Read a quick-log line; raise InvalidInput saying what is missing or wrong."""
    words = text.split()
    if not words:
        raise InvalidInput(f"type {GRAMMAR}", "quick_log")
    minutes = parse_duration(words[0])
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
            item_id = int(m[1])
        elif word.startswith("@") and len(word) > 1:
            if day is not None:
                raise InvalidInput("one @date per entry", "quick_log")
            day = parse_day(word[1:], today)
            if day > today:
                raise InvalidInput(
                    f"{day} is in the future: log time once it is spent", "quick_log"
                )
        else:
            note.append(word)
    return QuickLog(minutes, category, " ".join(note), item_id, day)


def describe(entry: QuickLog, today: date, item_title: str | None = None) -> str:
    """`45m · meetings · sprint planning · #12 Export invoices · Wed 25 Nov`."""
    parts = [format_duration(entry.minutes), entry.category.value]
    if entry.note:
        parts.append(entry.note)
    if entry.item_id is not None:
        title = item_title or "(no such item)"
        parts.append(f"#{entry.item_id} {title}")
    if entry.day is not None and entry.day != today:
        parts.append(f"{entry.day:%a %d %b}")
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
            item_id = int(m[1])
        else:
            note.append(word)
    return category, " ".join(note), item_id
