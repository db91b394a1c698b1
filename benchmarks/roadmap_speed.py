"""The roadmap with 300 epics and 1,500 features: first paint of the roadmap screen and
one scroll step (down a row, and along time), each a median, beside the cost of a
no-op key measured in the same run.

Run: .venv/bin/python benchmarks/roadmap_speed.py
Prints figures; never fails on a time.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def make_workspace(path: Path, epics: int = 300, features_each: int = 5) -> None:
    """Epics spread over three years, five dated features each (bulk insert)."""
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.models import WorkItem

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    rng = random.Random(5)
    now = datetime.now(UTC)
    first = date.today() - timedelta(days=365)
    with db.orm_write() as session:
        for e in range(epics):
            start = first + timedelta(days=rng.randint(0, 900))
            epic = WorkItem(
                kind="epic",
                title=f"Epic {e} for a customer outcome",
                status="in_progress",
                rank=e,
                start_date=start,
                target_date=start + timedelta(days=rng.randint(30, 200)),
                created_at=now,
                updated_at=now,
            )
            session.add(epic)
            session.flush()
            for f in range(features_each):
                f_start = start + timedelta(days=rng.randint(0, 60))
                session.add(
                    WorkItem(
                        kind="feature",
                        title=f"Feature {e}.{f}",
                        status="todo",
                        rank=f,
                        parent_id=epic.id,
                        start_date=f_start,
                        target_date=f_start + timedelta(days=rng.randint(14, 90)),
                        created_at=now,
                        updated_at=now,
                    )
                )
    db.close()


async def measure(path: Path) -> tuple[float, float, float, float]:
    """(first paint after key 2, median row step, median time step, median no-op key) in ms."""
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.screens.roadmap import RoadmapScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "bench"), Clock()))
    async with app.run_test(size=(160, 50)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.data is not None):
            await pilot.pause(0.05)
        t = time.perf_counter()
        await pilot.press("2")
        while not (isinstance(app.screen, RoadmapScreen) and app.screen.roadmap is not None):
            await pilot.pause(0.002)
        await pilot.pause()
        first = (time.perf_counter() - t) * 1000
        rows, times, noops = [], [], []
        for i in range(30):
            t = time.perf_counter()
            await pilot.press("y")  # unbound: the Pilot's own cost of a key
            await pilot.pause()
            noops.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            rows.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await pilot.press("l" if i % 2 == 0 else "h")
            await pilot.pause()
            times.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(rows), statistics.median(times), statistics.median(noops)


def main() -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tpm.db"
        make_workspace(path)
        first, row, step, noop = asyncio.run(measure(path))
    print("roadmap with 300 epics and 1,500 features (headless, 160x50)")
    print(f"  key 2 to the roadmap painted: {first:.0f} ms")
    print(f"  row step (j): median {row:.0f} ms key to repaint, net {row - noop:.0f} ms")
    print(f"  time step (h/l): median {step:.0f} ms key to repaint, net {step - noop:.0f} ms")
    print(f"  (a no-op key costs the Pilot {noop:.0f} ms by itself)")


if __name__ == "__main__":
    main()
