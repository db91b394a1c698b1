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


KIND_NAMES = ", ".join(k.value for k in Kind)


def parse_kind(text: str) -> Kind:
    """A kind from its name or a prefix (`st` or `s` is story, `f` feature);
    `tech_debt`, `tech-debt` and `tech debt` mean debt. The CLI, the services and the
    filter language all read kinds here."""
    raw = text.strip().lower()
    if raw.replace("_", " ").replace("-", " ").split() in (["tech", "debt"], ["techdebt"]):
        return Kind.DEBT
    matches = [k for k in Kind if k.value.startswith(raw)] if raw else []
    if len(matches) == 1:
        return matches[0]
    raise InvalidInput(f"unknown kind {text!r}: use one of {KIND_NAMES}", "kind")


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
