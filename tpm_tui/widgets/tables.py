"""Textual's DataTable, measured as it is filled."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


def measure_now(table: DataTable[Any]) -> None:
    """Size the columns for the rows just added, at once. Textual measures new rows'
    cells on the table's next idle moment; a frame drawn before it (seen on a loaded
    machine) cached the rows cut to the old widths ("stan" for "standup"), kept on
    screen until the next change. This is that idle step, done now (Textual 8's private
    names; without them the table is measured as Textual does it)."""
    new_rows = getattr(table, "_new_rows", None)
    update = getattr(table, "_update_dimensions", None)
    if not isinstance(new_rows, set) or not callable(update) or not new_rows:
        return
    rows = set(new_rows)
    new_rows.clear()
    table._require_update_dimensions = False
    update(rows)
