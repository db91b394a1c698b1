"""Time from any screen: the quick log (`t`), starting a timer (`s`) and stopping one
(`S`), as small modals. Each gets its checks and its saving as callables, so the
services stay out of the widgets; a refusal is shown under the input, which keeps its
text."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tpm_tui.errors import TimerNeedsAnswer, TpmError
from tpm_tui.screens.base import refusal
from tpm_tui.widgets.quick_log import QuickLogInput


class LineModal(ModalScreen[str | None]):
    """A titled one-line input with a live preview. `check(text)` returns the preview
    or raises InvalidInput; `save(text)` does the work and returns a confirmation.
    Any refusal (bad input, a busy or broken database) shows under the line, which
    keeps its text."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        hint: str,
        check: Callable[[str], str],
        save: Callable[[str], str],
        value: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.check = check
        self.save = save
        self.initial = value

    def make_input(self) -> Input:
        """The input line (subclasses add history and completions)."""
        return Input(self.initial, compact=True, id="line-input")

    def compose(self) -> ComposeResult:
        with Vertical(id="line-box", classes="line-modal"):
            yield Static(Content.assemble((self.title_text, "bold")), id="line-title")
            yield self.make_input()
            yield Static("", id="line-preview")
            yield Static(Content(self.hint), id="line-hint")

    def on_mount(self) -> None:
        """Focus the input; no blinking cursor when nobody watches."""
        field = self.query_one("#line-input", Input)
        field.cursor_blink = not self.app.is_headless
        field.focus()
        self._show(field.value)

    def _show(self, text: str) -> None:
        try:
            line = self.check(text)
        except TpmError as error:
            if text.strip():
                self._refused(error)
            else:  # nothing typed yet: what to type, not an error
                preview = self.query_one("#line-preview", Static)
                preview.update(Content.assemble((str(error), "dim")))
                preview.set_class(False, "-error")
            return
        preview = self.query_one("#line-preview", Static)
        preview.update(Content.assemble(("→ ", "bold $success"), line))
        preview.set_class(False, "-error")

    def _refused(self, error: TpmError) -> None:
        preview = self.query_one("#line-preview", Static)
        preview.update(Content.assemble(("✗ ", "bold $error"), (refusal(error), "$error")))
        preview.set_class(True, "-error")

    @on(Input.Changed, "#line-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#line-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            message = self.save(event.value)
        except TpmError as error:
            self.refused(event.value, error)
            return
        self.dismiss(message)

    def refused(self, text: str, error: TpmError) -> None:
        """The save of `text` was refused: say why under the line."""
        self._refused(error)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


class QuickLogScreen(LineModal):
    """`t`: log time already spent in one line."""

    def __init__(
        self,
        check: Callable[[str], str],
        save: Callable[[str], str],
        history: list[str],
        notes: list[str],
    ) -> None:
        super().__init__(
            "Log time",
            "DURATION CATEGORY [note…] [#item] [@date] — 45m m sprint planning #12 @yesterday"
            " · ↑ ↓ earlier entries · → takes a suggested note · enter saves · esc cancels",
            check,
            save,
        )
        self.history = history
        self.notes = notes

    def make_input(self) -> Input:
        """The line, with history and note completion."""
        return QuickLogInput(
            self.history,
            self.notes,
            placeholder="45m m sprint planning #12",
            compact=True,
            id="line-input",
        )


class StartTimerScreen(LineModal):
    """`s`: start a timer on a category (m, t or d), with an optional note and #item.
    A running timer that was probably forgotten is not stopped blindly: `ask(text,
    asked)` gives the question `S` asks, whose answer starts the timer."""

    def __init__(
        self,
        check: Callable[[str], str],
        save: Callable[[str], str],
        ask: Callable[[str, TimerNeedsAnswer], StopTimerScreen],
    ) -> None:
        super().__init__(
            "Start a timer",
            "m meetings · t tooling · d deliverables, then an optional note and #item"
            " — m standup · enter starts · esc cancels",
            check,
            save,
        )
        self.ask = ask

    def refused(self, text: str, error: TpmError) -> None:
        """A forgotten timer is asked about (esc there comes back to this line)."""
        if isinstance(error, TimerNeedsAnswer):
            self.app.push_screen(self.ask(text, error), self._answered)
            return
        super().refused(text, error)

    def _answered(self, message: str | None) -> None:
        if message is not None:  # the timer started
            self.dismiss(message)


class StopTimerScreen(LineModal):
    """`S` (or `s`) on a timer left running past midnight or over ten hours: keep it,
    or end it at the time the work really stopped."""

    def __init__(
        self,
        question: str,
        check: Callable[[str], str],
        save: Callable[[str], str],
        escape: str = "esc leaves it running",
    ) -> None:
        super().__init__(
            question,
            f"enter keeps it as it is · type a time (17:30) to end it then · {escape}",
            check,
            save,
        )
