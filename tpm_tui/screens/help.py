"""The help screen: every key of the screen it was opened from, and what it does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Keys of the current screen; any of esc, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, about: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.about = about
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self.rows), default=4) + 2
        lines = [Content.assemble(("Keys", "bold"), ("  ·  esc closes", "dim")), Content("")]
        if self.about:
            lines += [Content(self.about.strip().splitlines()[0]), Content("")]
        lines += [
            Content.assemble((key.ljust(width), "bold $accent"), description)
            for key, description in self.rows
        ]
        with VerticalScroll(id="help-box"):
            yield Static(Content("\n").join(lines), id="help-text")
