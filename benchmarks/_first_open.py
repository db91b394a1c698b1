"""The first opening of a screen, each in a fresh process (so it imports the screen's
modules and fills Textual's caches as a user's first key does): key to repaint of the
screen with its data, wall and CPU time, less a no-op key's (the Pilot's own cost).

`cold`: the key comes right after the board is on screen and the no-op keys (some
0.45 s: the app reads the sprint and goals screens' data ahead between those keys),
before any screen is built ahead; `idle`: the board sat idle IDLE seconds first (the
app then also builds the sprint and goals screens, hidden). Each
row also says which screens were built ahead before the key, and when the last was
ready (seconds after the board's data).

Run by the benchmarks (`first_opens`); as a child:
  python benchmarks/_first_open.py DB KEY cold|idle [KEY…]
prints one JSON line per key: {"key", "wall", "cpu", "noop_wall", "noop_cpu"} (ms),
"built" (the modes built ahead before the key) and "built_after" (s, or null).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SIZE = (160, 50)
IDLE = 2.0  # seconds the board sits idle before the key, in the `idle` case
NOOPS = 5


async def _child(path: Path, mode: str, keys: list[str]) -> list[dict[str, Any]]:
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.base import WorkspaceScreen
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "bench"), Clock()))
    out: list[dict[str, Any]] = []
    async with app.run_test(size=SIZE) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.ready):
            await pilot.pause(0.01)
        board_at = time.monotonic()
        walls, cpus = [], []
        for _ in range(NOOPS):
            start, cpu = time.perf_counter(), time.process_time()
            await pilot.press("f9")  # bound nowhere
            await pilot.pause()
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        if mode == "idle":
            await asyncio.sleep(IDLE)
        for key in keys:
            built = dict(getattr(app.read_ahead, "built", {}))  # (none before it was made)
            before = app.screen
            start, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            while True:
                screen = app.screen
                if (
                    screen is not before
                    and isinstance(screen, WorkspaceScreen)
                    and screen.ready
                    and not screen.stale
                ):
                    break
                # (not pilot.pause(): each waits for 20 ms slices of an idle process,
                # which would add up to 20 ms to what is measured)
                await asyncio.sleep(0.002)
            await pilot.pause()  # the repaint, as after the no-op key
            out.append(
                {
                    "key": key,
                    "wall": (time.perf_counter() - start) * 1000,
                    "cpu": (time.process_time() - cpu) * 1000,
                    "noop_wall": statistics.median(walls),
                    "noop_cpu": statistics.median(cpus),
                    "built": sorted(built),
                    "built_after": max(built.values()) - board_at if built else None,
                }
            )
    return out


def first_opens(path: Path, mode: str, keys: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Per key: the median over `runs` fresh processes of wall, cpu, and their net
    values (less the no-op key's); in how many runs screens had been built ahead before
    the key, and the median of when the last was ready (-1: never)."""
    samples: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, str(path), mode, *keys],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        for line in done.stdout.splitlines():
            row = json.loads(line)
            samples[row["key"]].append(row)
    result: dict[str, dict[str, float]] = {}
    for key, rows in samples.items():
        result[key] = {
            "wall": statistics.median(r["wall"] for r in rows),
            "cpu": statistics.median(r["cpu"] for r in rows),
            "net": statistics.median(r["wall"] - r["noop_wall"] for r in rows),
            "cpu_net": statistics.median(r["cpu"] - r["noop_cpu"] for r in rows),
            "built_runs": sum(1 for r in rows if r["built"]),
            "built_after": statistics.median(
                [r["built_after"] for r in rows if r["built_after"] is not None] or [-1.0]
            ),
        }
    return result


if __name__ == "__main__":
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    db, run_mode, *run_keys = sys.argv[1:]
    for row in asyncio.run(_child(Path(db), run_mode, run_keys)):
        print(json.dumps(row))
