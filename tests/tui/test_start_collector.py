"""The garbage collector during start-up: paused from the start of a run until the
first screen's data has been drawn (its passes walked every object the imports, the
stylesheet, the widgets and the first read made, again and again), then back as it
was, with what start-up made frozen; back as well when the app leaves before any data
is shown. In a subprocess: the collector's state is the process's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tpm_tui.db import Database

SCRIPT = textwrap.dedent(
    """
    import gc, sys
    from pathlib import Path
    import tpm_tui.app
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.workspace import Workspace

    path, how = Path(sys.argv[1]), sys.argv[2]
    seen = {}
    if how == "back early":  # the collector's rest ends before a slow first read
        import time
        import tpm_tui.services.board

        read = tpm_tui.services.board.load_board

        def slow(*args, **kwargs):
            time.sleep(0.5)
            return read(*args, **kwargs)

        tpm_tui.services.board.load_board = slow
        tpm_tui.app.COLLECTOR_REST = 0.1


    class Watched(TpmApp):
        def on_mount(self) -> None:
            seen["mounted"] = gc.isenabled()
            if how == "leave early":
                self.exit()

        def first_data_shown(self) -> None:  # (the screen's first data is going on screen)
            seen["ready"] = True
            self.frozen_before = gc.get_freeze_count()
            super().first_data_shown()
            self.call_after_refresh(self.drawn)

        def drawn(self) -> None:
            seen["data shown"] = gc.isenabled()
            seen["frozen"] = gc.get_freeze_count() > self.frozen_before  # the data too
            self.exit()


    app = Watched(Workspace(Location(f"sqlite:///{path}", path, "test"), Clock()))
    app.run(headless=True, size=(80, 24))
    after = f"enabled after {gc.isenabled()} frozen after {gc.get_freeze_count()}"
    print(sorted(seen.items()), after)
    """
)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (
            "wait for the data",
            "[('data shown', True), ('frozen', True), ('mounted', False), ('ready', True)]"
            " enabled after True frozen after 0",
        ),
        (
            "back early",
            "[('data shown', True), ('frozen', True), ('mounted', False), ('ready', True)]"
            " enabled after True frozen after 0",
        ),
        ("leave early", "[('mounted', False)] enabled after True frozen after 0"),
    ],
)
def test_the_collector_waits_for_the_first_data(
    db: Database, db_path: Path, how: str, expected: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db_path), how],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.strip() == expected, out.stdout + out.stderr[-2000:]
