"""Written documents kept with their history: the product vision and each epic's PRD.
Every save is a new version (the newest is the current text, the older ones its
history); saving the same text again changes nothing."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.sql import compiled as q
from tpm_tui.text import clean_block

DOCUMENT_MAX = 1_000_000
"""The longest document, in characters (a 5,000-line PRD is about 200,000)."""


class DocKind(StrEnum):
    """What a document is."""

    VISION = "vision"
    PRD = "prd"


@dataclass(frozen=True)
class Sections:
    """How many of a template's sections a document has written."""

    filled: int
    total: int

    def __str__(self) -> str:
        return f"{self.filled}/{self.total}"


@dataclass(frozen=True)
class Version:
    """One saved version of a document (without its text)."""

    id: int
    number: int  # 1 for the first version
    saved_at: datetime
    sections: Sections
    length: int  # characters


@dataclass(frozen=True)
class Current:
    """A document's current text and the version it is."""

    body: str
    version_id: int
    saved_at: datetime
    sections: Sections


ANY_VERSION = -1
"""`save(over=ANY_VERSION)`: save over whatever version is current (no check)."""


class DocumentChanged(TpmError):
    """A save over a version saved elsewhere since the text was opened: nothing was
    saved. `theirs` is that version's text, `number` its number (1 for the first)."""

    def __init__(self, message: str, theirs: Current, number: int) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.number = number
        # Set by whoever saves: makes `theirs` the version the next save goes over
        # (the user chose to save theirs over it, or took their text).
        self.rebase: Callable[[int], None] = lambda _version: None


@dataclass(frozen=True)
class Saved:
    """What a save did: the version written, or the current one when the text had not
    changed (`changed` False)."""

    version_id: int
    sections: Sections
    changed: bool


def clean_text(text: str, what: str = "document") -> str:
    """A document as typed: control characters and escape sequences removed, line
    endings normalised; refused (one line) when longer than DOCUMENT_MAX."""
    cleaned = clean_block(text)
    if len(cleaned) > DOCUMENT_MAX:
        raise InvalidInput(
            f"the {what} is {len(cleaned):,} characters long; keep it to {DOCUMENT_MAX:,}"
        )
    return cleaned


def current(db: Database, kind: DocKind, item_id: int | None) -> Current | None:
    """The newest version of a document, or None if it was never saved."""
    with db.read() as ex:
        row = ex.row(q.document_latest, kind=kind.value, item_id=item_id, limit=1)
    if row is None:
        return None
    version_id, _kind, _item, body, filled, total, saved_at = row
    return Current(body, version_id, saved_at, Sections(filled, total))


def save(
    db: Database,
    clock: Clock,
    kind: DocKind,
    item_id: int | None,
    text: str,
    sections: Sections,
    over: int | None = ANY_VERSION,
) -> Saved:
    """Store `text` (already cleaned) as the document's new version, unless it is the
    current text already. `over` is the version the text was opened on (None: the
    document had none): when another version has been saved since, nothing is saved
    and DocumentChanged says which (a save never silently reverts another's)."""
    with db.write() as ex:
        row = ex.row(q.document_latest, kind=kind.value, item_id=item_id, limit=1)
        if row is not None and row[3] == text:
            return Saved(int(row[0]), sections, False)
        if over != ANY_VERSION and row is not None and int(row[0]) != over:
            number = len(ex.rows(q.document_history, kind=kind.value, item_id=item_id))
            theirs = Current(row[3], int(row[0]), row[6], Sections(row[4], row[5]))
            raise DocumentChanged(
                f"not saved: version {number} was saved elsewhere at "
                f"{_stamp(clock, row[6])} (another terminal, or --edit from the shell) "
                "after you opened this text",
                theirs,
                number,
            )
        version_id = ex.scalar(
            q.document_insert,
            kind=kind.value,
            item_id=item_id,
            body=text,
            sections_filled=sections.filled,
            sections_total=sections.total,
            saved_at=clock.now(),
        )
    return Saved(int(version_id), sections, True)


class Editing:
    """One editing of a document: each save goes over the version the text was opened
    on, then over the one it saved. A version saved elsewhere meanwhile is not
    overwritten: DocumentChanged, whose `rebase` makes that version the one to go over
    (the user chose to save over it, or took its text). `store(text, over)` saves (the
    PRD's or the vision's own save, which cleans and checks the text)."""

    def __init__(
        self,
        db: Database,
        kind: DocKind,
        item_id: int | None,
        text: str,
        over: int | None,
        store: Callable[[str, int | None], Saved],
    ) -> None:
        self.db, self.kind, self.item_id = db, kind, item_id
        self.text, self.over = text, over  # what the editor opens on, and its version
        self._store = store

    @property
    def new(self) -> bool:
        """Whether the text opened is a template (the document was never saved)."""
        return self.over is None

    def rebase(self, version: int) -> None:
        """Go over `version` from now on."""
        self.over = version

    def newer(self) -> DocumentChanged | None:
        """A version saved elsewhere since this editing's (None: none), to take."""
        found = current(self.db, self.kind, self.item_id)
        if found is None or found.version_id == self.over:
            return None
        number = len(history(self.db, self.kind, self.item_id))
        changed = DocumentChanged(f"version {number} was saved elsewhere", found, number)
        changed.rebase = self.rebase
        return changed

    def save(self, text: str) -> Saved:
        """Save `text` over the version this editing stands on."""
        try:
            saved = self._store(text, self.over)
        except DocumentChanged as changed:
            changed.rebase = self.rebase
            raise
        self.over = saved.version_id
        return saved


def history(db: Database, kind: DocKind, item_id: int | None) -> list[Version]:
    """Every version, oldest first."""
    with db.read() as ex:
        rows = ex.rows(q.document_history, kind=kind.value, item_id=item_id)
    return [
        Version(version_id, number, saved_at, Sections(filled, total), int(length or 0))
        for number, (version_id, saved_at, filled, total, length) in enumerate(rows, start=1)
    ]


def last_change(db: Database, kind: DocKind, item_id: int | None, clock: Clock) -> str:
    """The last change as a unified diff (the version before → the current one); empty
    when there is at most one version."""
    with db.read() as ex:
        rows = ex.rows(q.document_latest, kind=kind.value, item_id=item_id, limit=2)
    if len(rows) < 2:
        return ""
    newer, older = rows
    return diff(older[3], newer[3], _stamp(clock, older[6]), _stamp(clock, newer[6]))


def _stamp(clock: Clock, moment: datetime) -> str:
    return f"{clock.local(moment):%Y-%m-%d %H:%M}"


def diff(before: str, after: str, before_name: str = "before", after_name: str = "after") -> str:
    """A unified diff of two texts (three lines of context)."""
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        fromfile=before_name,
        tofile=after_name,
        lineterm="",
    )
    return "\n".join(lines)
