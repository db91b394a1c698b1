"""Errors raised on purpose, each with one message a person can act on. The CLI maps
them to exit codes (2 for bad input, 1 for a data problem); forms show them inline."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tpm_tui.services.timetrack import EntryView


class TpmError(Exception):
    """Base of the errors tpm raises on purpose."""


class InvalidInput(TpmError):
    """Input that breaks a rule; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(InvalidInput):
    """A referenced item, entry, column or sprint that does not exist."""


class TimerNeedsAnswer(InvalidInput):
    """Starting a timer while one was probably forgotten (past midnight or over 10 hours):
    the caller asks when it really ended; `timer` is the running one, the message the
    question."""

    def __init__(self, message: str, timer: EntryView) -> None:
        super().__init__(message, "at")
        self.timer = timer


class Conflict(TpmError):
    """A valid request the workspace's state refuses (import into a non-empty one)."""


class StorageError(TpmError):
    """The database cannot be used; the message names it and says what to do."""


class DatabaseBusy(StorageError):
    """Another program held the write lock for longer than this call would wait.
    Nothing was written, so the same call can simply be tried again."""


class ReadOnlyWorkspace(StorageError):
    """A write to a workspace opened read-only (TPM_READ_ONLY, as `tpm serve --read-only`
    sets it): refused before anything is written."""


class ServerUnreachable(StorageError):
    """The database server cannot be reached now (stopped, restarting, network gone):
    nothing was written, and the same call can be tried again once it is back."""
