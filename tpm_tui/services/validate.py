"""Field rules shared by every service: one place for each limit and its message."""

from __future__ import annotations

from datetime import date

from tpm_tui.errors import InvalidInput
from tpm_tui.text import clean_block, clean_line

TITLE_MAX = 200
OWNER_MAX = 60
NAME_MAX = 80
NOTE_MAX = 500
TEXT_MAX = 50_000
POINTS_MAX = 100
DATE_MIN = date(1970, 1, 1)
DATE_MAX = date(2199, 12, 31)


def _label(field: str) -> str:
    return field.replace("_", " ")


def title(value: str, field: str = "title", limit: int = TITLE_MAX) -> str:
    """A required one-line text: cleaned, not empty, not over `limit` characters."""
    text = clean_line(value)
    if not text:
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
    """Story points: empty, or a whole number from 0 to POINTS_MAX."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput("points must be a whole number", "points")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidInput(
                f"points must be a whole number from 0 to {POINTS_MAX}, not {value!r}", "points"
            ) from None
    if not isinstance(value, int):
        raise InvalidInput("points must be a whole number", "points")
    if not 0 <= value <= POINTS_MAX:
        raise InvalidInput(
            f"points must be from 0 to {POINTS_MAX} (got {value}); split a bigger item", "points"
        )
    return value


def day(value: date | None, field: str) -> date | None:
    """A calendar date inside the range the tool handles."""
    if value is None:
        return None
    if not DATE_MIN <= value <= DATE_MAX:
        raise InvalidInput(
            f"the {_label(field)} {value} is out of range ({DATE_MIN}…{DATE_MAX})", field
        )
    return value


def date_range(start: date | None, end: date | None, start_field: str, end_field: str) -> None:
    """The end of a range may not come before its start."""
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            f"the {_label(end_field)} {end} is before the {_label(start_field)} {start}", end_field
        )
