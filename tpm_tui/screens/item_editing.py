"""Opening the item form on an item, shared by the board and the roadmap: the choices
it offers, turning its text into service values, and the undo step of a saved edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tpm_tui.errors import InvalidInput
from tpm_tui.screens.item_form import FormChoices, ItemForm, ParentChoice
from tpm_tui.undo import ItemEdited

if TYPE_CHECKING:
    from tpm_tui.clock import Clock
    from tpm_tui.db import Database


def form_choices(db: Database) -> FormChoices:
    """Columns, sprints and possible parents for the form."""
    from tpm_tui.kinds import Kind
    from tpm_tui.services import backlog, planning

    parents = backlog.list_items(db, kinds=[Kind.EPIC, Kind.FEATURE])
    return FormChoices(
        columns=[(c.name, c.key) for c in backlog.list_columns(db)],
        sprints=[(s.name, s.id) for s in planning.list_sprints(db)],
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

    current = backlog.get_item(db, item_id)
    before = {name: getattr(current, name) for name in backlog.ITEM_FIELDS}
    initial = {
        **before,
        "kind": current.kind.value,
        "points": "" if current.points is None else str(current.points),
        "start_date": current.start_date.isoformat() if current.start_date else "",
        "target_date": current.target_date.isoformat() if current.target_date else "",
    }

    def save(values: dict[str, Any]) -> int:
        changes = {k: v for k, v in typed_values(values).items() if v != before[k]}
        if changes:
            backlog.edit_item(db, clock, item_id, **changes)
            place = (current.status, current.rank, current.done_at) if "status" in changes else None
            saved(ItemEdited(item_id, {k: before[k] for k in changes if k != "status"}, place))
        return item_id

    rollup = backlog.rollups(db, [item_id]).get(item_id) if current.kind.level < 2 else None
    return ItemForm(f"Edit #{item_id}", initial, form_choices(db), save, rollup)
