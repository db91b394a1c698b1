"""The terminal's output, as Textual's output thread writes it, surviving the terminal
going away.

Textual's Linux driver writes from a thread through a queue of at most 30 writes. When
the terminal goes away under the app (its window closed, an ssh link cut, tmux killed),
the thread's next write fails with EIO and the thread ends; the writes after it fill
the queue, and the next one (at the latest, the one that stops the thread as the app
leaves on SIGHUP) waits for it forever: the process never ended. Here a failed write
marks the terminal gone and every later write is dropped, so the thread drains its
queue and the app leaves as it should."""

from __future__ import annotations

from functools import cache
from typing import IO, Any


class SurvivingOutput:
    """A text file for Textual's output thread: writes and flushes that fail (the
    terminal went away) are dropped from then on."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False  # a write or flush failed: the terminal is no longer there

    def write(self, text: str) -> int:
        """Write `text` (dropped once the terminal is gone)."""
        if not self.gone:
            try:
                return self._file.write(text)
            except (OSError, ValueError):  # EIO, EPIPE; ValueError: the file was closed
                self.gone = True
        return len(text)

    def flush(self) -> None:
        """Flush (nothing once the terminal is gone)."""
        if not self.gone:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self.gone = True

    def fileno(self) -> int:
        """The terminal's file descriptor (Textual reads its size through it)."""
        return self._file.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


@cache
def surviving_driver(base: type[Any]) -> type[Any]:
    """`base` (Textual's Linux driver) writing through SurvivingOutput (one class,
    however many apps ask)."""

    class SurvivingDriver(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            file = getattr(self, "_file", None)
            if file is not None and not isinstance(file, SurvivingOutput):
                self._file = SurvivingOutput(file)

    SurvivingDriver.__name__ = SurvivingDriver.__qualname__ = f"Surviving{base.__name__}"
    return SurvivingDriver
