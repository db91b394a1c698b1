"""Child process for board_speed.py: start an app headless, print the seconds from
process start to its first paint and to its data on screen, the RSS in MiB, and the
CPU seconds the process used until then (less sensitive than wall time to other
programs on a shared machine), then exit."""

from __future__ import annotations

import resource
import sys
import time

T0 = time.perf_counter()


def current_rss_mib() -> float:
    """Resident memory now (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


RESULT: list[str] = []
FRAME: list[float] = []


def report(app: object) -> None:
    """Note the time of the first paint (printed after the app ends: Textual captures
    print while it runs)."""
    elapsed = time.perf_counter() - T0
    rss = current_rss_mib()
    frame = FRAME[0] if FRAME else elapsed
    RESULT.append(f"{frame:.4f} {elapsed:.4f} {rss:.1f} {time.process_time():.4f}")
    app.exit()  # type: ignore[attr-defined]


def minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

        def on_mount(self) -> None:
            self.call_after_refresh(report, self)

    Minimal().run(headless=True, size=(160, 50))


def screen(path: str, mode: str) -> None:
    """tpm opened on `mode` (board, roadmap, time, week): the first paint of that screen,
    then its data on screen (the screen says it is ready)."""
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.base import WorkspaceScreen
    from tpm_tui.workspace import Workspace

    class Probe(TpmApp):
        def on_mount(self) -> None:
            # (Textual calls TpmApp.on_mount too, as it calls the handler of every class
            # of the app: calling it here as well started the app twice over.)
            self._poll = self.set_interval(0.005, self._check)

        def _check(self) -> None:
            current = self.screen
            if isinstance(current, WorkspaceScreen) and not FRAME:
                self.call_after_refresh(lambda: FRAME.append(time.perf_counter() - T0))
            if isinstance(current, WorkspaceScreen) and current.ready:
                self._poll.stop()
                self.call_after_refresh(report, self)

    from pathlib import Path

    workspace = Workspace(Location(f"sqlite:///{path}", Path(path), "bench"), Clock())
    Probe(workspace, mode=mode).run(headless=True, size=(160, 50))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        screen(sys.argv[2], sys.argv[1])
    print(RESULT[0])
