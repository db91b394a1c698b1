"""The week screen over ten years of heavy logging (100,000 time entries): opening it,
moving one week back, and `tpm report`, each beside a floor measured in the same run.

Run: .venv/bin/python benchmarks/week_speed.py
Prints figures; never fails on a time.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_speed import median_ms

ENTRIES = 100_000


def make_workspace(path: Path) -> None:
    """100,000 entries over ten years of working days, bulk inserted."""
    from tpm_tui.config import Location
    from tpm_tui.db import open_database

    open_database(Location(f"sqlite:///{path}", path, "bench")).close()
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=3650)
    rows = []
    moment = start.replace(hour=8, minute=0, second=0, microsecond=0)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    for _ in range(ENTRIES):
        minutes = rng.choice((15, 30, 30, 45, 60))
        end = moment + timedelta(minutes=minutes)
        category = rng.choices(("meetings", "tooling", "deliverables"), (45, 37, 18))[0]
        rows.append((category, moment.strftime(fmt), end.strftime(fmt), "bench", end.strftime(fmt)))
        moment = end
        if moment.hour >= 18:  # next working morning
            moment = (moment + timedelta(days=1)).replace(hour=8, minute=0)
            while moment.weekday() >= 5:
                moment += timedelta(days=1)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO time_entry (category, started_at, ended_at, note, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


def aggregation_ms(path: Path, weeks: int = 20) -> float:
    """Median time of the week screen's SQL (week_view) over recent weeks."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.services.reports import week_view

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    clock = Clock()
    today = clock.today()
    samples = []
    for i in range(weeks):
        t = time.perf_counter()
        week_view(db, clock, today - timedelta(weeks=i))
        samples.append((time.perf_counter() - t) * 1000)
    db.close()
    return statistics.median(samples)


async def screen_ms(path: Path, steps: int = 15) -> tuple[float, float, float]:
    """Median ms to open the week screen (key 4 to figures shown; the first open mounts
    it, later ones switch back to it) and to move back a week."""
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.screens.week import WeekScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "bench"), Clock()))
    opens, backs, noops = [], [], []
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.data is not None):
            await pilot.pause(0.05)
        for _ in range(9):
            t = time.perf_counter()
            await pilot.press("z")  # unbound: what a key costs the Pilot by itself
            await pilot.pause()
            noops.append((time.perf_counter() - t) * 1000)
        for _ in range(9):
            t = time.perf_counter()
            await pilot.press("4")
            while not (isinstance(app.screen, WeekScreen) and app.screen.view is not None):
                await pilot.pause(0.002)
            await pilot.pause()
            opens.append((time.perf_counter() - t) * 1000)
            screen = app.screen
            for _ in range(max(1, steps // 9)):
                before = screen.monday
                t = time.perf_counter()
                await pilot.press("left_square_bracket")
                while screen.monday == before:
                    await pilot.pause(0.002)
                await pilot.pause()
                backs.append((time.perf_counter() - t) * 1000)
            await pilot.press("1")
            await pilot.pause(0.1)
    return statistics.median(opens), statistics.median(backs), statistics.median(noops)


def main() -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tpm.db"
        t = time.perf_counter()
        make_workspace(path)
        print(f"built {ENTRIES:,} entries in {time.perf_counter() - t:.1f} s")
        sql = aggregation_ms(path)
        print(f"week_view SQL (the week, its top items, four weeks before): median {sql:.1f} ms")
        opened, back, noop = asyncio.run(screen_ms(path))
        print(
            f"week screen: key 4 to figures shown, median {opened:.0f} ms (net {opened - noop:.0f})"
        )
        net_back = back - noop
        print(f"week screen: `[` a week back, median {back:.0f} ms (net {net_back:.0f})")
        print(f"  (a no-op key costs the Pilot {noop:.0f} ms by itself: net = median - that)")
        env = {**os.environ, "TPM_DB": str(path)}
        py = sys.executable
        floor = median_ms([py, "-c", "import sqlmodel"], env, 10)
        report = median_ms([py, "-m", "tpm_tui", "report"], env, 10)
        print(f"python -c 'import sqlmodel' (floor) {floor:.0f} ms;", end=" ")
        print(f"tpm report {report:.0f} ms ({report / floor:.2f}x)")


if __name__ == "__main__":
    main()
