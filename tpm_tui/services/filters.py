"""The board's filter language: free words plus `kind:`, `epic:`, `feature:`,
`sprint:`, `owner:` (`owner:me`: the user running tpm), `points:` and `key:` tokens."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import KIND_NAMES, Kind, parse_kind
from tpm_tui.services import validate
from tpm_tui.text import clean_line

TOKENS = "kind:debt, epic:12, feature:5, sprint:current, owner:ana, points:>5, key:PAY-142"
ME = "me"  # owner:me: the user running tpm (TPM_USER, else the login)
_POINTS = re.compile(r"(<=|>=|<|>|=)?(\d{1,3})")


@dataclass(frozen=True)
class ItemFilter:
    """What a filter line asks for; every part must hold for an item to show."""

    words: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    epic_id: int | None = None
    feature_id: int | None = None
    sprint: str | None = None  # "current", "none", or a sprint's name
    owner: str | None = None  # lower case; ME: the user running tpm
    points: tuple[str, int] | None = None  # (operator, value); ("none", 0) for unestimated
    source_key: str | None = None  # an imported item's key in its tool (PAY-142)
    text: str = ""

    @property
    def active(self) -> bool:
        """Whether the filter narrows anything."""
        return bool(
            self.words
            or self.kinds
            or self.epic_id is not None
            or self.feature_id is not None
            or self.sprint is not None
            or self.owner is not None
            or self.points is not None
            or self.source_key is not None
        )


def _kind(value: str) -> Kind:
    try:
        return parse_kind(value)
    except InvalidInput:
        raise InvalidInput(f"kind:{value}? use {KIND_NAMES}", "filter") from None


def _id(key: str, value: str) -> int:
    try:
        return validate.item_id(value)
    except InvalidInput:
        raise InvalidInput(f"{key}:{value}? give an item id, such as {key}:12", "filter") from None


def parse_filter(text: str) -> ItemFilter:
    """Read a filter line; a token it does not know is an error that says which it knows.
    Escapes and control characters are dropped first, as they are from the text tpm
    stores (and PostgreSQL takes no NUL in a parameter)."""
    text = clean_line(text)
    try:
        parts = shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        parts = text.split()
    words: list[str] = []
    kinds: list[Kind] = []
    fields: dict[str, object] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if not sep or not key or " " in key:
            words.append(part.lower())
            continue
        key = key.lower()
        if not value:
            raise InvalidInput(f"{key}: needs a value, as in {TOKENS}", "filter")
        if key == "kind":
            kinds.extend(_kind(v) for v in value.split(","))
        elif key == "epic":
            fields["epic_id"] = _id(key, value)
        elif key == "feature":
            fields["feature_id"] = _id(key, value)
        elif key == "sprint":
            fields["sprint"] = value.lower() if value.lower() in ("current", "none") else value
        elif key == "owner":
            fields["owner"] = value.lower()
        elif key in ("points", "pts"):
            if value.lower() in ("none", "-", "?"):
                fields["points"] = ("none", 0)
            elif m := _POINTS.fullmatch(value):
                fields["points"] = (m[1] or "=", int(m[2]))
            else:
                raise InvalidInput(
                    f"points:{value}? use points:5, points:>5 or points:none", "filter"
                )
        elif key == "key":
            fields["source_key"] = value
        else:
            raise InvalidInput(f"unknown filter {key}: use words or {TOKENS}", "filter")
    return ItemFilter(words=tuple(words), kinds=tuple(kinds), text=text.strip(), **fields)  # type: ignore[arg-type]
