"""Undo for every screen: each change the user makes is a step object that knows how to
take itself back, kept on one bounded stack per screen. No Textual here: the steps
call the services, and the tests drive them without a Pilot."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from tpm_tui.errors import DatabaseBusy, InvalidInput

if TYPE_CHECKING:
    from tpm_tui.clock import Clock
    from tpm_tui.db import Database
    from tpm_tui.services.timetrack import EntryView

UNDO_DEPTH = 50


class Step(Protocol):
    """One change that can be taken back."""

    @property
    def label(self) -> str:
        """What the change was, as a person says it: `move of #12 to Review`."""
        ...

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Put things back as they were; return the id to show afterwards (an item or
        an entry), or None."""
        ...


class NothingToUndo(InvalidInput):
    """`u` with an empty stack."""


class UndoStack:
    """The steps of one screen, newest last; the oldest fall off past `depth`."""

    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._steps: deque[Step] = deque(maxlen=depth)

    def __len__(self) -> int:
        return len(self._steps)

    def push(self, step: Step) -> None:
        """Remember a change just saved."""
        self._steps.append(step)

    def undo(self, db: Database, clock: Clock) -> tuple[Step, int | None]:
        """Take back the newest change; returns it and the id to show. A busy database
        keeps the step for another try; any other refusal drops it (the error says why)."""
        if not self._steps:
            raise NothingToUndo("Nothing to undo")
        step = self._steps.pop()
        try:
            focus = step.undo(db, clock)
        except DatabaseBusy:
            self._steps.append(step)
            raise
        return step, focus


# ---------------------------------------------------------------- work items


@dataclass(frozen=True)
class ItemMoved:
    """A card moved to another column; undo puts it back at its old place."""

    item_id: int
    status: str
    rank: int
    done_at: datetime | None
    to_column: str

    @property
    def label(self) -> str:
        """`move of #12 to Review`."""
        return f"move of #{self.item_id} to {self.to_column}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Back to the old column, rank and done time."""
        from tpm_tui.services import backlog

        backlog.place_item(db, clock, self.item_id, self.status, self.rank, self.done_at)
        return self.item_id


@dataclass(frozen=True)
class ItemReordered:
    """A card raised or lowered `delta` places inside its column."""

    item_id: int
    delta: int

    @property
    def label(self) -> str:
        """`reorder of #12`."""
        return f"reorder of #{self.item_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """The same number of places the other way."""
        from tpm_tui.services import backlog

        backlog.reorder_item(db, clock, self.item_id, -self.delta)
        return self.item_id


@dataclass(frozen=True)
class ItemArchived:
    """A card archived."""

    item_id: int

    @property
    def label(self) -> str:
        """`archive of #12`."""
        return f"archive of #{self.item_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Restore it to the board."""
        from tpm_tui.services import backlog

        backlog.set_archived(db, clock, self.item_id, False)
        return self.item_id


@dataclass(frozen=True)
class ItemEdited:
    """An edit saved through the item form: the changed fields as they were, and the
    card's place if its column changed."""

    item_id: int
    fields: dict[str, Any]
    place: tuple[str, int, datetime | None] | None = None

    @property
    def label(self) -> str:
        """`edit of #12 (points, title)`."""
        names = sorted(self.fields) + (["column"] if self.place is not None else [])
        return f"edit of #{self.item_id} ({', '.join(n.replace('_', ' ') for n in names)})"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Put the fields (and the card's place) back."""
        from tpm_tui.services import backlog

        if self.fields:
            backlog.edit_item(db, clock, self.item_id, **self.fields)
        if self.place is not None:
            backlog.place_item(db, clock, self.item_id, *self.place)
        return self.item_id


@dataclass(frozen=True)
class DatesChanged:
    """An item's roadmap dates shifted or stretched."""

    item_id: int
    start_date: date | None
    target_date: date | None
    what: str = "date change"

    @property
    def label(self) -> str:
        """`shift of #3`."""
        return f"{self.what} of #{self.item_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Both dates back as they were."""
        from tpm_tui.services import backlog

        backlog.edit_item(
            db, clock, self.item_id, start_date=self.start_date, target_date=self.target_date
        )
        return self.item_id


# ---------------------------------------------------------------- time entries


@dataclass
class EntryDeleted:
    """A time entry deleted; undo puts it back (under a new id if its old one was
    taken meanwhile, so `entry_id` is updated)."""

    entry: EntryView
    restored_id: int | None = field(default=None)

    @property
    def label(self) -> str:
        """`delete of 45m meetings · standup`."""
        return f"delete of {self.entry.describe()}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Restore the entry."""
        from tpm_tui.services.timetrack import restore_entry

        restored = restore_entry(db, clock, self.entry)
        self.restored_id = restored.id
        return restored.id


@dataclass(frozen=True)
class EntryEdited:
    """A time entry changed through its form: its fields as they were."""

    entry_id: int
    before: dict[str, Any]

    @property
    def label(self) -> str:
        """`edit of entry #7`."""
        return f"edit of entry #{self.entry_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """The fields back as they were."""
        from tpm_tui.services.timetrack import edit_entry

        edit_entry(db, clock, self.entry_id, **self.before)
        return self.entry_id


# ---------------------------------------------------------------- goals


@dataclass(frozen=True)
class ValueRecorded:
    """A key result's value recorded; undo forgets it."""

    value_id: int
    kr_id: int

    @property
    def label(self) -> str:
        """`value of KR3`."""
        return f"value of KR{self.kr_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Delete the value."""
        from tpm_tui.services import goals

        goals.forget_value(db, self.value_id)
        return None


@dataclass(frozen=True)
class GoalArchived:
    """A goal archived; undo brings it back."""

    goal_id: int

    @property
    def label(self) -> str:
        """`archive of G2`."""
        return f"archive of G{self.goal_id}"

    def undo(self, db: Database, clock: Clock) -> int | None:
        """Restore the goal."""
        from tpm_tui.services import goals

        goals.set_goal_archived(db, clock, self.goal_id, False)
        return None
