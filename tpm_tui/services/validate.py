"""Field rules shared by every service: one place for each limit and its message."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tpm_tui.dates import DATE_MAX as DATE_MAX  # the range lives in dates.py; read here too
from tpm_tui.dates import DATE_MIN as DATE_MIN
from tpm_tui.dates import RANGE_WORDS, check_day
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Kind
from tpm_tui.text import clean_block, clean_line, has_visible

TITLE_MAX = 200
OWNER_MAX = 60
NAME_MAX = 80
NOTE_MAX = 500
TEXT_MAX = 50_000
POINTS_MAX = 100
POINTS_RULE = f"a whole number from 0 to {POINTS_MAX}, or empty"
"""The points rule in the words every hint, help text and error uses."""
ID_MAX = 2**63 - 1  # SQLite's largest integer
# Stored moments (UTC) tpm accepts (a timer's start, an import): the moments of a local
# day in DATE_MIN..DATE_MAX in some time zone (UTC-12 to UTC+14), no more, so the range
# the messages name holds; an end may come up to a day (the longest entry) later.
MOMENT_MIN = datetime.combine(DATE_MIN, time(), UTC) - timedelta(hours=14)
START_END = datetime.combine(DATE_MAX + timedelta(days=1), time(), UTC) + timedelta(hours=12)
MOMENT_MAX = START_END + timedelta(days=1)


def whole_number(text: str) -> int | None:
    """`text` as a whole number if it is ASCII digits only (int() would also take "٣" and
    "1_0"), else None. Leading zeros are dropped and a number longer than any limit tpm
    has becomes ID_MAX + 1 (out of every range) before int() sees it: int() raises
    ValueError past 4,300 digits."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return ID_MAX + 1 if len(digits) > len(str(ID_MAX)) else int(digits)


def _label(field: str) -> str:
    return field.replace("_", " ")


def title(value: str, field: str = "title", limit: int = TITLE_MAX) -> str:
    """A required one-line text: cleaned, not empty, not over `limit` characters."""
    text = clean_line(value)
    if not has_visible(text):
        raise InvalidInput(f"the {_label(field)} is empty: type a few words", field)
    if len(text) > limit:
        raise InvalidInput(
            f"the {_label(field)} is {len(text)} characters long; keep it to {limit}", field
        )
    return text


def line(value: str | None, field: str, limit: int) -> str:
    """An optional one-line text (owner, note): cleaned, may be empty."""
    text = clean_line(value or "")
    if len(text) > limit:
        raise InvalidInput(
            f"the {_label(field)} is {len(text)} characters long; keep it to {limit}", field
        )
    return text


def block(value: str | None, field: str) -> str:
    """An optional multi-line text (description, criteria)."""
    text = clean_block(value or "")
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            f"the {_label(field)} is {len(text)} characters long; keep it to {TEXT_MAX}", field
        )
    return text


def points(value: object) -> int | None:
    """Story points: POINTS_RULE (empty is None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: object = value
    if isinstance(value, str):
        number = whole_number(value.strip())
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= POINTS_MAX:
        raise InvalidInput(f"points must be {POINTS_RULE}; not {str(value)[:20]!r}", "points")
    return number


def own_points(kind: Kind, value: int | None) -> None:
    """Epics and features carry no points of their own: theirs are the roll-up of the
    stories, bugs and debt under them (the import check calls this too)."""
    if value is not None and kind.level < 2:
        raise InvalidInput(
            f"{'an' if kind is Kind.EPIC else 'a'} {kind.value}'s points are the roll-up of "
            "the items under it: leave its points empty",
            "points",
        )


def item_id(value: str | int) -> int:
    """An item id as typed (`12`, `#12`): a whole number from 1 to ID_MAX."""
    text = str(value).strip().removeprefix("#")
    number = whole_number(text) or 0
    if not 1 <= number <= ID_MAX:
        raise InvalidInput(
            f"{str(value)[:24]!r} is not an item id: use a whole number from 1 to {ID_MAX}, "
            "such as 12",
            "id",
        )
    return number


def day(value: date | None, field: str) -> date | None:
    """A calendar date inside the range the tool handles."""
    if value is None:
        return None
    return check_day(value, f"the {_label(field)}", field)


def moment(value: datetime, field: str) -> datetime:
    """A stored moment (aware) that a local day of the accepted range holds in some
    zone (a start: MOMENT_MIN up to START_END), or an end up to a day after one (up to
    MOMENT_MAX): the one check for the timer and the import."""
    last = START_END - timedelta(microseconds=1) if field == "started_at" else MOMENT_MAX
    if not MOMENT_MIN <= value <= last:
        raise InvalidInput(
            f"the {_label(field)} {value.isoformat()} is out of range: {RANGE_WORDS}", field
        )
    return value


def date_range(start: date | None, end: date | None, start_field: str, end_field: str) -> None:
    """The end of a range may not come before its start."""
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            f"the {_label(end_field)} {end} is before the {_label(start_field)} {start}", end_field
        )
