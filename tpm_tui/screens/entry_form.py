"""The time-entry form: start, duration, category, note and item, checked by the
same services as `tpm log`; errors show beside their field and nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.screens.base import refusal

FIELDS = (
    ("started_at", "Start", "HH:MM"),
    ("minutes", "Duration", "30m, 1h30m, 1:30…"),
    ("category", "Category", "meetings, tooling, deliverables (m, t, d)"),
    ("note", "Note", ""),
    ("item_id", "Item", "#12, or empty"),
)

# The services name some fields their own way.
ALIASES = {"duration": "minutes", "at": "started_at", "date": "started_at"}


class EntryForm(ModalScreen[bool]):
    """Edit one time entry; `save(values)` raises InvalidInput naming the field at fault.
    Any other refusal (the entry is gone, a busy or broken database) shows under the
    form; every field keeps what was typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self, heading: str, values: dict[str, str], save: Callable[[dict[str, str]], Any]
    ) -> None:
        super().__init__()
        self.heading = heading
        self.values = values
        self._save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="entry-box"):
            yield Static(Content.assemble((self.heading, "bold")), id="entry-heading")
            for name, label, placeholder in FIELDS:
                error = Static("", id=f"error-{name}", classes="field-error")
                error.display = False
                yield Horizontal(
                    Label(label, classes="field-label"),
                    Vertical(
                        Input(
                            self.values.get(name, ""),
                            placeholder=placeholder,
                            compact=True,
                            id=f"field-{name}",
                        ),
                        error,
                        classes="field-body",
                    ),
                    classes="form-row",
                )
            error = Static("", id="error-form", classes="field-error")
            error.display = False
            yield error
            yield Static(Content("enter or ctrl+s saves · esc cancels"), classes="field-hint")

    def on_mount(self) -> None:
        """Focus the first field; no blinking cursor when nobody watches."""
        for field in self.query(Input):
            field.cursor_blink = not self.app.is_headless
        self.query_one("#field-minutes", Input).focus()

    def action_save(self) -> None:
        """Save through the services; stay open with the error shown if they refuse."""
        values = {name: self.query_one(f"#field-{name}", Input).value for name, _, _ in FIELDS}
        for error in self.query(".field-error").results(Static):
            error.display = False
        try:
            self._save(values)
        except TpmError as problem:
            field = problem.field if isinstance(problem, InvalidInput) else None
            name = ALIASES.get(field or "", field)
            if name in {f for f, _, _ in FIELDS}:
                box = self.query_one(f"#error-{name}", Static)
                self.query_one(f"#field-{name}", Input).focus()
            else:
                box = self.query_one("#error-form", Static)
            box.update(Content(refusal(problem)))
            box.display = True
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()
