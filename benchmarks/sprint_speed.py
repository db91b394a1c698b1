"""How fast is the sprint screen with 5,000 items, 40 closed sprints and 200,000 item
events? Opening the sprint screen (the first time in fresh processes: right after the
board's first paint, and after the board sat idle) and switching sprints (key to
repaint, the Pilot's own cost for a key subtracted), `>` (pull an item into the
sprint), the burndown and velocity SQL, and `tpm sprint show --format json` beside
`tpm status`, each beside a floor measured in the same run.

Run: .venv/bin/python benchmarks/sprint_speed.py [--runs N]
Prints figures; never fails on a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _first_open import IDLE, first_opens

ITEMS, CLOSED, EVENTS_PER_ITEM = 5000, 40, 40  # 200,000 events
IN_CLOSED, IN_RUNNING = 25, 40  # items per closed sprint, in the running one
SIZE = (160, 50)


def make_workspace(path: Path) -> int:
    """The workspace (bulk inserts); returns the running sprint's id. Each closed sprint
    had 25 items that went backlog → in progress → review → done across it; the running
    one (started on this week's Monday) has 40 on their way; the rest is the backlog,
    whose items changed points and column now and then over the last year."""
    import sqlalchemy as sa

    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.models import ItemEvent, Sprint, WorkItem

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    clock = Clock()
    now = datetime.now(UTC)
    today = clock.today()
    running_start = today - timedelta(days=today.weekday())
    sprints: list[dict[str, Any]] = []
    for k in range(CLOSED + 2):  # 40 closed, the running one, the next
        start = running_start + timedelta(days=14 * (k - CLOSED))
        end = start + timedelta(days=13)
        closed = k < CLOSED
        sprints.append(
            {
                "id": k + 1,
                "name": f"Sprint {k + 1}",
                "start_date": start,
                "end_date": end,
                "goal": f"Goal of sprint {k + 1}",
                "velocity": IN_CLOSED * 3 if closed else None,
                "closed_at": clock.day_bounds(end)[1] if closed else None,
                "retro": "",
            }
        )
    running_id = CLOSED + 1
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    flow = ["backlog", "in_progress", "review", "done"]
    for i in range(ITEMS):
        points = (1, 2, 3, 5, 8)[i % 5]
        if i < CLOSED * IN_CLOSED:
            sprint = sprints[i // IN_CLOSED]
            first = clock.day_bounds(sprint["start_date"])[0]
            span = clock.day_bounds(sprint["end_date"])[0] - first
            points, status = 3, "done"
        elif i < CLOSED * IN_CLOSED + IN_RUNNING:
            sprint = sprints[running_id - 1]
            first = clock.day_bounds(sprint["start_date"])[0]
            span = max(timedelta(hours=1), now - first) * 0.9
            status = flow[i % 4]
        else:
            sprint = None
            first = now - timedelta(days=365)
            span = timedelta(days=360)
            status = "backlog" if i % 3 else "todo"
        step = span / EVENTS_PER_ITEM
        for j in range(EVENTS_PER_ITEM):
            if sprint is None:
                state = status if j == EVENTS_PER_ITEM - 1 else ("backlog", "todo")[j % 2]
                change, pts = ("status", points + (j % 2)) if j else ("created", points)
                if j == EVENTS_PER_ITEM - 1:
                    pts = points
            else:
                reached = flow.index(status)
                state = flow[min(reached, j * len(flow) // EVENTS_PER_ITEM)]
                if j == EVENTS_PER_ITEM - 1:
                    state = status
                change, pts = ("status" if j else "created,sprint"), points
            events.append(
                {
                    "item_id": i + 1,
                    "at": first + step * j,
                    "change": change,
                    "status": state,
                    "done": state == "done",
                    "points": pts,
                    "sprint_id": sprint["id"] if sprint else None,
                    "archived": False,
                }
            )
        items.append(
            {
                "id": i + 1,
                "kind": ("story", "bug", "debt")[i % 3],
                "title": f"Item number {i} about a customer-facing change",
                "status": status,
                "rank": i,
                "points": points,
                "sprint_id": sprint["id"] if sprint else None,
                "owner": ("ana", "ben", "eli", "dara", "")[i % 5],
                "created_at": first,
                "updated_at": events[-1]["at"],
                "done_at": events[-1]["at"] if status == "done" else None,
            }
        )
    with db.orm_write() as session:
        session.execute(sa.insert(Sprint.__table__), sprints)  # type: ignore[attr-defined]
        session.execute(sa.insert(WorkItem.__table__), items)  # type: ignore[attr-defined]
        session.execute(sa.insert(ItemEvent.__table__), events)  # type: ignore[attr-defined]
    db.close()
    return running_id


def sql_timings(path: Path, sprint_id: int, runs: int) -> dict[str, float]:
    """Median ms of the burndown's and the velocity's statements, of the whole sprint
    report (statements and the Python that folds them), and of a trivial read (floor)."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.services.sprints import sprint_report
    from tpm_tui.sql import compiled as q

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    clock = Clock()

    def burndown() -> None:
        with db.read() as ex:
            ex.rows(q.sprint_scope_changes, sprint_id=sprint_id)

    def velocity() -> None:
        with db.read() as ex:
            ex.rows(q.sprints_all)

    def floor() -> None:
        with db.read() as ex:
            ex.rows(q.sprint_row, id=sprint_id)

    cases: dict[str, Callable[[], object]] = {
        "floor": floor,
        "burndown": burndown,
        "velocity": velocity,
        "report": lambda: sprint_report(db, clock, sprint_id),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for round_no in range(runs + 1):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            if round_no:
                samples[name].append((time.perf_counter() - start) * 1000)
    db.close()
    return {name: statistics.median(values) for name, values in samples.items()}


async def screen_timings(path: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median ms, key to repaint, and CPU ms of: a no-op key (the Pilot's own cost), `1` back to
    the board (a floor: the board's own switch and re-read), `5` from the board after
    the first time, `[`/`]` switching sprints, and `>` pulling the first backlog item
    into the sprint. (The first time is measured in fresh processes: `_first_open`.)"""
    from textual.pilot import Pilot

    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.screens.sprint import SprintScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "bench"), Clock()))
    names = ("noop", "board", "open", "switch", "pull")
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}

    async def until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
        while not condition():
            # (not pilot.pause(): each waits for 20 ms slices of an idle process, which
            # added up to 20 ms to every figure)
            await asyncio.sleep(0.002)
        await pilot.pause()  # the repaint, as after the no-op key

    def idle() -> bool:
        screen = app.screen
        return (
            isinstance(screen, SprintScreen)
            and screen.planning is not None
            and screen.ready
            and not screen.stale
            and screen.waiting_for is None
        )

    def shown() -> tuple[int, int]:
        """The sprint on screen and how many items it holds."""
        screen = app.screen
        assert isinstance(screen, SprintScreen) and screen.planning is not None
        return screen.planning.report.sprint.id, len(screen.planning.report.items)

    def changed(before: tuple[int, int]) -> Callable[[], bool]:
        """The screen is idle again, on another sprint or with another item count."""
        return lambda: idle() and shown() != before

    async def timed(name: str, key: str, condition: Callable[[], bool]) -> None:
        """Press `key`, wait for `condition` and the repaint; note the wall time and the
        CPU time of the whole process (its worker threads too)."""
        start, cpu = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await until(pilot, condition)
        walls[name].append((time.perf_counter() - start) * 1000)
        cpus[name].append((time.process_time() - cpu) * 1000)

    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.ready)
        await pilot.press("5")  # the first time (measured apart, in fresh processes)
        await until(pilot, idle)
        for i in range(runs):
            await timed("noop", "z", idle)  # z: bound nowhere
            await timed(
                "board",
                "1",
                lambda: (
                    isinstance(app.screen, BoardScreen)
                    and app.screen.ready
                    and not app.screen.stale
                ),
            )
            await timed("open", "5", idle)
            key = "left_square_bracket" if i % 2 == 0 else "right_square_bracket"
            await timed("switch", key, changed(shown()))
            if i % 2:  # back on the running sprint: pull the first backlog item
                await timed("pull", "greater_than_sign", changed(shown()))
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in names}


def cli_timings(path: Path, runs: int) -> dict[str, float]:
    """Median ms of `tpm sprint show --format json` and `tpm status`, round-robin."""
    tpm = str(Path(sys.executable).with_name("tpm"))
    commands = {
        "status": [tpm, "--db", str(path), "status"],
        "sprint show": [tpm, "--db", str(path), "sprint", "show", "--format", "json"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            if round_no:
                samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sprints.db"
        start = time.perf_counter()
        running = make_workspace(path)
        print(
            f"workspace: {ITEMS:,} items, {CLOSED} closed sprints, {ITEMS * EVENTS_PER_ITEM:,}"
            f" item events (built in {time.perf_counter() - start:.1f} s);"
            f" load {os.getloadavg()[0]:.1f}"
        )
        sql = sql_timings(path, running, args.runs * 4)
        print(f"SQL, median of {args.runs * 4} runs (the running sprint):")
        print(f"  {'floor: one sprint by its id':<40} {sql['floor']:6.2f} ms")
        for name, label in (("burndown", "burndown (scope changes)"), ("velocity", "velocity")):
            print(f"  {label:<40} {sql[name]:6.2f} ms  {sql[name] / sql['floor']:5.1f}x floor")
        print(f"  {'the whole sprint report (SQL + Python)':<40} {sql['report']:6.2f} ms")
        screen = asyncio.run(screen_timings(path, args.runs))
        noop, noop_cpu = screen["noop"]
        print(
            f"sprint screen at {SIZE[0]}x{SIZE[1]}, median of {args.runs} (key to repaint;"
            " net: less a no-op key's time, the Pilot's own cost; cpu: the process's, net)"
        )
        print(f"  {'a no-op key':<46} {noop:6.1f} ms            (cpu {noop_cpu:5.1f} ms)")
        firsts = args.runs // 3 or 1
        cold = first_opens(path, "cold", ["5"], firsts)["5"]
        floor = first_opens(path, "cold", ["4"], firsts)["4"]
        warm = first_opens(path, "idle", ["5"], firsts)["5"]
        for label, first in (
            ("5 from the board, first time (cold)", cold),
            ("floor: 4, an empty week screen's first time", floor),
            (f"5 first time, the board idle {IDLE:.0f} s before", warm),
        ):
            print(
                f"  {label:<46} {first['wall']:6.1f} ms  net {first['net']:6.1f} ms"
                f"  (cpu net {first['cpu_net']:6.1f} ms)"
            )
        print(
            f"  (idle: the screens built ahead before the key in {warm['built_runs']} of"
            f" {firsts} runs, the last ready {warm['built_after']:.2f} s after the board's data)"
        )
        print(
            f"  (first times: median of {firsts} fresh processes, each its own no-op key;"
            " cold: the key right after the board's first paint and the no-op keys, before"
            " any screen is built ahead (the data is read ahead between those keys); the"
            " floor: any screen's first showing, in Textual, on this machine)"
        )
        for name, label in (
            ("board", "1 to the board (floor: its switch and re-read)"),
            ("open", "5 from the board, later"),
            ("switch", "[ / ] switch sprints"),
            ("pull", "> pull an item into the sprint"),
        ):
            wall, cpu = screen[name]
            print(
                f"  {label:<46} {wall:6.1f} ms  net {max(0.0, wall - noop):6.1f} ms"
                f"  (cpu net {max(0.0, cpu - noop_cpu):6.1f} ms)"
            )
        cli = cli_timings(path, args.runs)
        ratio = cli["sprint show"] / cli["status"]
        print(f"shell, median of {args.runs} round-robin runs:")
        print(f"  tpm status                                   {cli['status']:6.0f} ms")
        print(
            f"  tpm sprint show --format json                {cli['sprint show']:6.0f} ms"
            f"  {ratio:4.2f}x tpm status"
        )


if __name__ == "__main__":
    main()
