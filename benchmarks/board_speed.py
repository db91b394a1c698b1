"""How fast is the board? Cold start to the first painted board (12, 500 and 5,000
cards) and to each other screen's data when it is the first screen (`tpm roadmap`,
`tpm time`, `tpm week`), a card move with L at 500 and 5,000 cards, and memory at
5,000, each beside a floor measured in the same run.

Run: .venv/bin/python benchmarks/board_speed.py
Prints figures; never fails on a time.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _moves import time_moves

PROBE = Path(__file__).with_name("_board_probe.py")


def make_workspace(path: Path, cards: int) -> None:
    """A workspace with `cards` stories spread over the five columns (bulk insert)."""
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.models import WorkItem

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    now = datetime.now(UTC)
    columns = ["backlog", "todo", "in_progress", "review", "done"]
    with db.orm_write() as session:
        session.add_all(
            WorkItem(
                kind="story" if i % 5 else "bug",
                title=f"Story number {i} about a customer-facing change",
                status=columns[i % 5],
                rank=i,
                points=(1, 2, 3, 5, 8)[i % 5],
                created_at=now,
                updated_at=now,
            )
            for i in range(cards)
        )
    db.close()


def make_demo(path: Path) -> None:
    """The demo workspace (3 epics, 8 features, 40 items, 4 weeks of time)."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.services.demo import build_demo

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    build_demo(db, Clock())
    db.close()


def child(args: list[str]) -> tuple[float, float, float, float]:
    """Run the probe: seconds to the first paint of the screen, to the cards on screen,
    the RSS in MiB, and the CPU seconds it used until the cards were on screen."""
    command = [sys.executable, str(PROBE), *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    frame, cards, rss, cpu = (float(x) for x in out.stdout.split())
    return frame, cards, rss, cpu


async def move_timings(path: Path, moves: int) -> tuple[float, float, float]:
    """Median seconds for L (and a no-op key, the Pilot's own cost) at this size, and
    the median CPU seconds a move took beyond a no-op key."""
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(Location(f"sqlite:///{path}", path, "bench"), Clock()))
    async with app.run_test(size=(160, 50)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.data is not None):
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        return await time_moves(pilot, moves)


def main() -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    # Every module of tpm compiled first, as an installed tpm is: where bytecode is not
    # written (PYTHONDONTWRITEBYTECODE), a module edited since its .pyc was written is
    # compiled again by every cold start (95 ms a start at 12 cards with none written).
    import tpm_tui

    compileall.compile_dir(Path(tpm_tui.__file__).parent, quiet=1)
    runs = 7
    with tempfile.TemporaryDirectory() as folder:
        sizes = {12: Path(folder) / "12.db", 500: Path(folder) / "500.db"}
        sizes[5000] = Path(folder) / "5000.db"
        for size, path in sizes.items():
            make_workspace(path, size)
        demo = Path(folder) / "demo.db"
        make_demo(demo)
        # Round-robin: each round starts every program once, so a busy moment of the
        # machine hits them alike; medians over the rounds.
        programs = {"minimal": ["minimal"]}
        programs |= {f"board {n}": ["board", str(path)] for n, path in sizes.items()}
        programs |= {mode: [mode, str(demo)] for mode in ("roadmap", "time", "week")}
        results: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in programs}
        for _ in range(runs):
            for name, args in programs.items():
                results[name].append(child(args))

        def med(name: str, index: int) -> float:
            return statistics.median(r[index] for r in results[name])

        floor, floor_cpu = med("minimal", 0), med("minimal", 3)
        print(
            f"cold start, median of {runs} round-robin runs (headless, 160x50);"
            f" load {os.getloadavg()[0]:.1f}"
        )
        print(
            f"  minimal Textual app (one Static), first paint  {floor * 1000:6.0f} ms"
            f" (cpu {floor_cpu * 1000:4.0f} ms)"
        )
        for count in sizes:
            frame, cards, cpu = (med(f"board {count}", i) for i in (0, 1, 3))
            print(
                f"  {count:>5} cards: first paint of the board screen {frame * 1000:6.0f} ms"
                f" {frame / floor:5.2f}x floor; cards on screen {cards * 1000:6.0f} ms"
                f" {cards / floor:5.2f}x floor (cpu {cpu * 1000:4.0f} ms,"
                f" {cpu / floor_cpu:4.2f}x the floor's)"
            )
        for mode in ("roadmap", "time", "week"):
            shown, cpu = med(mode, 1), med(mode, 3)
            print(
                f"  tpm {mode:<8} (demo workspace) as the first screen: data on screen"
                f" {shown * 1000:6.0f} ms {shown / floor:5.2f}x floor"
                f" (cpu {cpu / floor_cpu:4.2f}x the floor's)"
            )
        for count in (500, 5000):
            move, noop, move_cpu = asyncio.run(move_timings(sizes[count], 20))
            net = max(0.0, move - noop)
            print(
                f"card move with L, {count:>5} cards: median {move * 1000:4.0f} ms key to repaint;"
                f" a no-op key costs the Pilot {noop * 1000:.0f} ms: net {net * 1000:.0f} ms"
                f" (cpu {move_cpu * 1000:.0f} ms)"
            )
        rss_min = child(["minimal"])[2]
        rss_board = child(["board", str(sizes[5000])])[2]
        print(f"memory (RSS at first paint): minimal app {rss_min:.0f} MiB,", end=" ")
        print(f"board with 5,000 cards {rss_board:.0f} MiB ({rss_board / rss_min:.2f}x)")


if __name__ == "__main__":
    main()
