"""kill -9 of a real `tpm` board on a PostgreSQL database while its item form is open
with text typed: nothing of the form is written, the database is as it was and sound,
no lock is left behind (another process writes at once, with the TUI's own 250 ms
patience), and the next `tpm` opens normally on what the database holds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import NOW
from tests.e2e.week_in_tmux import Disagreement, Terminal, focused_field
from tests.postgres import Server
from tests.reliability.figures import record
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog
from tpm_tui.workspace import WRITE_WAIT_MS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

SIZE = (120, 40)
STARTUP = 90.0  # seconds a board may take to open on a loaded machine


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {"TPM_DB": url, "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"}
    return env


def _tpm(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tpm_tui", *args],
        env=_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def _export(url: str) -> dict[str, object]:
    """`tpm export` without its own time of export."""
    data: dict[str, object] = json.loads(_tpm(url, "export"))
    data.pop("exported_at", None)
    return data


def _tpm_pid(terminal: Terminal) -> int:
    """The process id of the `tpm` running in the terminal (the pane's shell's child)."""
    shell = terminal._tmux("display-message", "-p", "-t", "week", "#{pane_pid}").strip()
    children = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", shell], capture_output=True, text=True, check=True
    ).stdout
    found = [line.split()[0] for line in children.splitlines() if "tpm_tui" in line]
    assert len(found) == 1, children
    return int(found[0])


def _backends(server: Server, database: str) -> list[str]:
    """The other sessions on the database and what they are doing."""
    return server.psql(
        "SELECT state || ' ' || left(query, 40) FROM pg_stat_activity"
        f" WHERE datname = '{database}' AND pid <> pg_backend_pid()",
        database,
    ).splitlines()


def test_kill_9_of_a_board_with_a_form_open_leaves_the_database_as_it_was(
    pg_server: Server,
) -> None:
    database = pg_server.fresh_database()
    url = pg_server.url(database)
    _tpm(url, "add", "story", "Export invoices", "--points", "5")
    _tpm(url, "log", "30m", "meetings", "standup")
    before = _export(url)
    base = {**_env(url), "TPM_USER": "ana", "TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
    terminal = Terminal(SIZE, base)
    terminal.server = f"team-kill-{os.getpid()}"
    try:
        terminal.open([], NOW)
        try:
            terminal.wait_for("as ana", timeout=STARTUP)
            terminal.wait_for("#1 Export", timeout=STARTUP)  # at any width
            terminal.press("e")
            terminal.wait_for("Edit #1")
            terminal.wait_for_cells(lambda cells: focused_field(cells) == "Title")
            terminal.press("End")
            terminal.type(" as PDF, typed and never saved")
            terminal.wait_for("never saved")
        except Disagreement as failure:
            pytest.fail(failure.report())
        sessions = _backends(pg_server, database)
        assert sessions, "the board is connected (its LISTEN connection at least)"

        os.kill(_tpm_pid(terminal), signal.SIGKILL)
        terminal.wait_for("TPM-EXITED 137")
        killed_at = time.monotonic()

        # Another process writes at once, as patient as a TUI key (250 ms): no lock of
        # the killed board's holds it up.
        other = open_database(Location(url, None, "test")).impatient(WRITE_WAIT_MS)
        try:
            backlog.move_item(other, Clock(NOW), 1, "review")
        finally:
            other.close()
        wrote_in = time.monotonic() - killed_at
        after = _export(url)
        items, was = after["items"], before["items"]
        assert isinstance(items, list) and isinstance(was, list)
        assert items[0]["title"] == "Export invoices"  # nothing of the form was written
        assert items[0]["status"] == "review"
        # Everything else as it was: the other tables, and the item but for the move.
        moved = ("status", "rank", "updated_at", "version")
        assert {k: v for k, v in items[0].items() if k not in moved} == {
            k: v for k, v in was[0].items() if k not in moved
        }
        assert {**after, "items": [], "item_events": []} == {
            **before,
            "items": [],
            "item_events": [],
        }
        # Sound: no session of the killed board left inside a transaction or holding
        # an advisory lock, and the doctor finds nothing wrong.
        deadline = time.monotonic() + 10
        while _backends(pg_server, database) and time.monotonic() < deadline:
            time.sleep(0.1)  # the server ends a dead client's sessions on its own
        assert _backends(pg_server, database) == []
        locks = pg_server.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert locks == "0\n"
        doctor = subprocess.run(
            [sys.executable, "-m", "tpm_tui", "doctor"],
            env=_env(url),
            capture_output=True,
            text=True,
            check=False,
        )
        assert doctor.returncode == 0 and "✗" not in doctor.stdout, doctor.stdout

        # The next tpm opens normally, on what the database holds.
        terminal.open([], NOW)
        try:
            terminal.wait_for("as ana", timeout=STARTUP)
            screen = terminal.wait_for("#1 Export", timeout=STARTUP)  # at any width
        except Disagreement as failure:
            pytest.fail(failure.report())
        assert "never saved" not in screen
    finally:
        terminal.close()
    record(
        "kill -9 of a board mid-form (PostgreSQL)",
        f"nothing written, no lock left: another process wrote {wrote_in * 1000:.0f} ms"
        " after the kill; the next tpm opened normally",
    )
