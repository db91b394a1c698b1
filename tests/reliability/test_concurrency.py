"""The open TUI (board and week screens, moving cards itself) while two shells write
200 times: every write lands, nobody sees "database is locked", and the screens end up
showing what the database holds."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import NOW, Seeded, location_for
from tests.reliability.figures import record
from tests.tui.conftest import board_ready, settle, wait_until
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.services import backlog
from tpm_tui.services.reports import week_report
from tpm_tui.workspace import Workspace

WRITER = """
import sys, time
from tpm_tui.cli import cli
name, calls = sys.argv[1], sys.argv[2:]
fails = 0
for call in calls:
    if cli.main(call.split("|"), standalone_mode=False):
        fails += 1
    time.sleep(0.02)  # a person's pace is slower still; this keeps the TUI busy meanwhile
print("FAILS", fails)
"""


def _writer(db: Path, name: str, calls: list[str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": str(db), "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"})
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, name, *calls],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_tui_and_two_shell_writers(seeded: Seeded, clock: Clock, db_path: Path) -> None:
    a_calls = [f"log|1m|meetings|a-{i}" for i in range(100)]
    statuses = ["todo", "in_progress", "review", "done", "backlog"]
    b_calls = []
    for i in range(50):
        b_calls.append(f"log|1m|tooling|b-{i}")
        b_calls.append(f"move|{seeded.bug}|{statuses[i % len(statuses)]}")
    writers = [_writer(db_path, "a", a_calls), _writer(db_path, "b", b_calls)]

    app = TpmApp(Workspace(location_for(db_path), clock, name="~/work/tpm.db"))
    tui_moves = 0
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_ready(pilot)
        while any(w.poll() is None for w in writers):
            await pilot.press("L" if tui_moves % 2 == 0 else "H")
            tui_moves += 1
            if tui_moves % 10 == 0:
                await pilot.press("4")
                await pilot.pause(0.05)
                await pilot.press("1")
            await pilot.pause(0.05)
        outputs = [w.communicate() for w in writers]
        # the board catches up with the last writes by itself (data_version polling)
        db = app.workspace.db

        def board_matches() -> bool:
            cards = backlog.list_items(db, kinds=backlog.LEAF_KINDS)
            return all(
                board.columns[key].ids == [c.id for c in cards if c.status == key]
                for key in board.columns
            )

        await wait_until(pilot, board_matches, tries=200)
        await pilot.press("4")
        await wait_until(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await settle(app)
        await pilot.pause(0.2)
        shown = app.screen.view.report.total_minutes  # type: ignore[attr-defined]
        assert shown == week_report(db, clock).total_minutes

    for out, err in outputs:
        assert out.strip().splitlines()[-1] == "FAILS 0", (out[-500:], err)
        assert "locked" not in err.lower() and "Traceback" not in err
    conn = sqlite3.connect(db_path)
    notes = {row[0] for row in conn.execute("SELECT note FROM time_entry")}
    conn.close()
    expected = {f"a-{i}" for i in range(100)} | {f"b-{i}" for i in range(50)}
    assert expected <= notes
    record(
        "concurrent writes",
        f"{len(a_calls) + len(b_calls)}/{len(a_calls) + len(b_calls)} shell calls succeeded "
        f"({len(expected & notes)}/150 entries found, 50 moves) while the TUI made {tui_moves} "
        "moves and switched screens; no 'locked' seen",
    )
