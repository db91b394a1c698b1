"""A card moved back and forth on an open board, key to repaint, beside a no-op key:
the loop board_speed.py and team_speed.py both time."""

from __future__ import annotations

import statistics
import time
from typing import Any


async def time_moves(pilot: Any, moves: int, between: float = 0.0) -> tuple[float, float, float]:
    """Medians in seconds of `moves` moves (L, then H back, in turn) key to repaint, of a
    no-op key before each, and of the CPU each move took beyond its no-op; `between`
    seconds of pause after each move (to let what a move says settle first)."""
    noop, move, cpu = [], [], []
    for i in range(moves):
        t, c = time.perf_counter(), time.process_time()
        await pilot.press("z")  # unbound: what a key costs the Pilot by itself
        await pilot.pause()
        noop.append(time.perf_counter() - t)
        noop_cpu = time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        await pilot.press("L" if i % 2 == 0 else "H")
        await pilot.pause()
        move.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c - noop_cpu)
        if between:
            await pilot.pause(between)
    return statistics.median(move), statistics.median(noop), statistics.median(cpu)
