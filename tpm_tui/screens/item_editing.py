"""Opening the item form on an item, shared by the board and the roadmap: the choices
it offers, turning its text into service values, and the undo step of a saved edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tpm_tui.errors import InvalidInput
from tpm_tui.screens.item_form import (
    ConflictRow,
    FormChoices,
    ItemConflict,
    ItemForm,
    ParentChoice,
)
from tpm_tui.undo import ItemEdited

if TYPE_CHECKING:
    from tpm_tui.clock import Clock
    from tpm_tui.db import Database
    from tpm_tui.services.backlog import ItemView


def shown(value: Any) -> str:
    """A field's value in one short line, for the conflict dialog."""
    from tpm_tui.text import clean_line

    if value is None or value == "":
        return "—"
    text = value.value if hasattr(value, "value") else value
    text = text.isoformat() if hasattr(text, "isoformat") else str(text)
    line = clean_line(" ".join(str(text).split()))
    return line if len(line) <= 200 else line[:199] + "…"


def form_choices(db: Database, sprint_id: int | None = None) -> FormChoices:
    """Columns, sprints and possible parents for the form. The sprints are the open
    ones (a closed sprint takes no item) and the item's own `sprint_id` when it is
    closed, named so: the field left as it is saves nothing."""
    from tpm_tui.kinds import Kind
    from tpm_tui.services import backlog, planning

    parents = backlog.list_items(db, kinds=[Kind.EPIC, Kind.FEATURE])
    return FormChoices(
        columns=[(c.name, c.key) for c in backlog.list_columns(db)],
        sprints=[
            (f"{s.name} (closed)" if s.closed else s.name, s.id)
            for s in planning.list_sprints(db)
            if not s.closed or s.id == sprint_id
        ],
        parents=[ParentChoice(p.id, p.kind, p.title) for p in parents],
    )


def typed_values(values: dict[str, Any]) -> dict[str, Any]:
    """Form strings to service values; each error names its field."""
    from tpm_tui.dates import parse_iso_date
    from tpm_tui.services import validate

    out = dict(values)
    out["points"] = validate.points(values["points"])
    for name in ("start_date", "target_date"):
        text = values[name]
        try:
            out[name] = parse_iso_date(text, name.replace("_", " ")) if text else None
        except InvalidInput as error:
            raise InvalidInput(str(error), name) from None
    return out


def edit_form(
    db: Database, clock: Clock, item_id: int, saved: Callable[[ItemEdited], None]
) -> ItemForm:
    """The form on one item; `saved` hears what changed (for undo)."""
    from tpm_tui.services import backlog

    # The version as opened: a save over someone else's change meanwhile is refused
    # by the service and shown to the person field by field (never overwritten).
    current, version = backlog.item_version(db, item_id)
    before = {name: getattr(current, name) for name in backlog.ITEM_FIELDS}
    initial = {
        **before,
        "kind": current.kind.value,
        "points": "" if current.points is None else str(current.points),
        "start_date": current.start_date.isoformat() if current.start_date else "",
        "target_date": current.target_date.isoformat() if current.target_date else "",
    }

    def write(changes: dict[str, Any], over: ItemView, at: int) -> int:
        """Save `changes` over the item as `over` shows it (at version `at`)."""
        if changes:
            try:
                backlog.edit_item(db, clock, item_id, expected_version=at, **changes)
            except backlog.EditConflict as conflict:
                raise conflict_of(conflict) from None
            place = (over.status, over.rank, over.done_at) if "status" in changes else None
            was = {name: getattr(over, name) for name in changes if name != "status"}
            saved(ItemEdited(item_id, was, place))
        return item_id

    typed: dict[str, Any] = {}

    def conflict_of(conflict: backlog.EditConflict) -> ItemConflict:
        theirs = {name: getattr(conflict.current, name) for name in backlog.ITEM_FIELDS}

        def resolve(choice: str) -> int:
            if choice == "theirs":
                return item_id
            mine = {k: v for k, v in typed.items() if v != theirs[k]}
            if choice == "merge":  # only what the form changed; theirs elsewhere
                mine = {k: v for k, v in mine.items() if v != before[k]}
            return write(mine, conflict.current, conflict.version)

        rows = [
            ConflictRow(
                name.replace("_", " "), shown(before[name]), shown(theirs[name]), shown(typed[name])
            )
            for name in backlog.ITEM_FIELDS
            if theirs[name] != before[name]
        ]
        return ItemConflict(rows, resolve)

    def save(values: dict[str, Any]) -> int:
        typed.clear()
        typed.update(typed_values(values))
        changes = {k: v for k, v in typed.items() if v != before[k]}
        return write(changes, current, version)

    rollup = backlog.rollups(db, [item_id]).get(item_id) if current.kind.level < 2 else None
    choices = form_choices(db, current.sprint_id)
    return ItemForm(f"Edit #{item_id}", initial, choices, save, rollup)
