"""Leaving while a worker thread is inside the database: the app waits for the worker
before closing the database (closing a connection under a thread inside SQLite killed
the process with SIGSEGV). In a subprocess, so that a crash fails the test instead of
ending the test run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tpm_tui.db import Database

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.sql.stmt import Stmt
    from tpm_tui.workspace import Workspace

    # One step of SQLite that takes a while: the thread stays inside sqlite3_step.
    SLOW = Stmt(
        "slow",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
        " WHERE x < 1500000) SELECT count(*) FROM c",
        "",
        (),
        ("int",),
    )
    inside = threading.Event()


    class Leaving(TpmApp):
        def on_ready(self) -> None:
            self.run_worker(self.slow_read, thread=True)
            self.set_interval(0.005, self.leave_once_inside)

        def slow_read(self) -> None:
            with self.workspace.open().read() as executor:
                inside.set()
                print("counted", executor.scalar(SLOW), flush=True)

        def leave_once_inside(self) -> None:
            if inside.is_set():
                self.exit()


    path = Path(sys.argv[1])
    app = Leaving(Workspace(Location(f"sqlite:///{path}", path, "test"), Clock()))
    app.run(headless=True, size=(80, 24))
    print("left", flush=True)
    """
)


def test_leaving_while_a_worker_reads_does_not_crash(db: Database, db_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["counted", "1500000", "left"]
