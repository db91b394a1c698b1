"""A TERM or HUP at any moment of start-up (the terminal just switched over, the screen
still mounting): the app ends as `q` ends it, without a traceback from a widget of
a screen taken down while it mounted (Textual's Header queues its title on the app as
it mounts, and that ran on a header already emptied: NoMatches on HeaderTitle and a
coroutine never awaited; a screen mounting after the exit was asked for got no
widgets, and its own mount found no filter line). In a subprocess: the warning comes
as the interpreter ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tpm_tui.db import Database

SCRIPT = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from textual.widgets import Header
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.workspace import Workspace

    path, mode, moment = Path(sys.argv[1]), sys.argv[2], sys.argv[3]


    class Signalled(TpmApp):
        # What the signal handler calls (a headless app installs none).
        def on_load(self) -> None:
            if moment == "load":
                self._exit_on_signal(signal.SIGTERM)

        def on_mount(self) -> None:
            if moment == "mount":
                self._exit_on_signal(signal.SIGTERM)


    app = Signalled(Workspace(Location(f"sqlite:///{path}", path, "test"), Clock()), mode)
    if moment == "header":
        # As the screen's header is built: the screen is half-mounted.
        compose = Header.compose
        def composing(header):
            app._exit_on_signal(signal.SIGTERM)
            return compose(header)
        Header.compose = composing
    app.run(headless=True, size=(80, 24))
    print("left", app.return_code, flush=True)
    """
)

CASES = [
    *((mode, "header") for mode in ("board", "roadmap", "time", "week", "sprint", "goals")),
    *((mode, moment) for mode in ("board", "time") for moment in ("load", "mount")),
]


@pytest.mark.parametrize(("mode", "moment"), CASES)
def test_a_signal_while_the_first_screen_mounts_ends_cleanly(
    db: Database, db_path: Path, mode: str, moment: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-X", "dev", "-c", SCRIPT, str(db_path), mode, moment],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["left", "143"], out.stdout + out.stderr[-3000:]
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr[-3000:]
    assert "never awaited" not in out.stderr, out.stderr[-3000:]
