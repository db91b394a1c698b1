"""The quick-log line: an input that recalls earlier entries with up and down and
completes notes from recent ones."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input


class NoteSuggester(Suggester):
    """Completes the note part of `45m m spr…` from the notes of recent entries."""

    def __init__(self, notes: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.notes = notes

    async def get_suggestion(self, value: str) -> str | None:
        """The line with its note completed, if a recent note starts with what is typed."""
        words = value.split(" ")
        if len(words) < 3:
            return None
        head, typed = " ".join(words[:2]), " ".join(words[2:])
        if not typed.strip():
            return None
        for note in self.notes:
            if note.lower().startswith(typed.lower()) and note.lower() != typed.lower():
                return f"{head} {note}"
        return None


class QuickLogInput(Input):
    """A one-line input with history: up goes back through earlier entries."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(1)", "Earlier entry", show=False),
        Binding("down", "history(-1)", "Later entry", show=False),
    ]

    def __init__(self, history: list[str], notes: list[str], **kwargs: object) -> None:
        super().__init__(suggester=NoteSuggester(notes), **kwargs)  # type: ignore[arg-type]
        self.history = history
        self._position = -1
        self._draft = ""

    def action_history(self, step: int) -> None:
        """Recall an earlier (1) or later (-1) entry; past the newest comes the draft."""
        if not self.history:
            return
        if self._position == -1:
            self._draft = self.value
        position = max(-1, min(len(self.history) - 1, self._position + step))
        self._position = position
        self.value = self._draft if position == -1 else self.history[position]
        self.cursor_position = len(self.value)
