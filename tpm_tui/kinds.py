"""The kinds of work item and the categories of time: plain enums, importable without
the database layer (the TUI's widgets use them before SQLModel is loaded)."""

from __future__ import annotations

from enum import StrEnum

from tpm_tui.errors import InvalidInput


class Kind(StrEnum):
    """What a work item is; the order is the hierarchy (an epic holds features...)."""

    EPIC = "epic"
    FEATURE = "feature"
    STORY = "story"
    BUG = "bug"
    DEBT = "debt"

    @property
    def level(self) -> int:
        """0 for epics, 1 for features, 2 for the cards a team works on."""
        return {Kind.EPIC: 0, Kind.FEATURE: 1}.get(self, 2)


class Category(StrEnum):
    """Where an hour of a TPM's day goes."""

    MEETINGS = "meetings"
    TOOLING = "tooling"
    DELIVERABLES = "deliverables"


CATEGORY_NAMES = ", ".join(c.value for c in Category)


def parse_category(text: str) -> Category:
    """A category from its key or an unambiguous prefix (`m`, `meet`, `t`, `d`...)."""
    raw = text.strip().lower()
    matches = [c for c in Category if raw and c.value.startswith(raw)]
    if len(matches) == 1:
        return matches[0]
    raise InvalidInput(f"unknown category {text!r}: use {CATEGORY_NAMES} (or m, t, d)", "category")
