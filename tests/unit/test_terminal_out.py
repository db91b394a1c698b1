"""The terminal going away under the app: Textual's output thread keeps draining its
queue (writes dropped), so the app's last write, and its leaving, never wait forever."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.terminal_out import SurvivingOutput
from tpm_tui.workspace import Workspace


class GoneTerminal:
    """A terminal whose every write fails, as a closed pseudo-terminal's does (EIO)."""

    def __init__(self) -> None:
        self.tried = 0

    def write(self, text: str) -> int:
        self.tried += 1
        raise OSError(5, "Input/output error")

    def flush(self) -> None:
        raise OSError(5, "Input/output error")

    def fileno(self) -> int:
        return 2


def _stops(writer: WriterThread, writes: int) -> bool:
    """Whether `writes` writes then stop() end within 5 s (in a thread of their own)."""

    def run() -> None:
        for _ in range(writes):
            writer.write("\x1b[?25h")
        writer.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    return not thread.is_alive()


def test_the_output_thread_drains_its_queue_after_the_terminal_went_away() -> None:
    gone = GoneTerminal()
    writer = WriterThread(SurvivingOutput(gone))  # type: ignore[arg-type]
    writer.start()
    assert _stops(writer, MAX_QUEUED_WRITES * 3)
    assert gone.tried == 1  # one failed write, then the terminal is known to be gone


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_without_it_the_app_s_leaving_waits_forever() -> None:
    # What the app met before (the thread ends at the first failed write): a thread
    # left blocked here, on purpose, shows it.
    writer = WriterThread(GoneTerminal())  # type: ignore[arg-type]
    writer.start()
    assert not _stops(writer, MAX_QUEUED_WRITES * 3)


async def test_the_app_s_terminal_driver_writes_through_it(
    workspace_location: Location, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    app = TpmApp(Workspace(workspace_location, clock))
    assert issubclass(app.driver_class, LinuxDriver)
    driver: Any = app.driver_class(app)
    assert isinstance(driver._file, SurvivingOutput)
