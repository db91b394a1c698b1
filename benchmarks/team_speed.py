"""How fast do shells write to one workspace at once, and how fast does an open board
answer its own keys and follow a colleague, on SQLite and on PostgreSQL, in the same run?

Run: .venv/bin/python benchmarks/team_speed.py [--writers 10] [--calls 30] [--runs 5]
     [--cards 500] [--moves 20]

Starts a throwaway PostgreSQL server (as the test suite does: initdb and pg_ctl in a
temporary folder, on a Unix socket; as the `postgres` user when run as root) and a
SQLite file, then on each:
- 10 writers at once, each one process making `--calls` CLI writes one after another
  (`tpm log`, `tpm add`, `tpm move` in turn, run in-process through the CLI so that
  Python's start-up is not what is measured): writes per second over the whole run, and
  the median and 95th percentile of one call's latency (open, write, commit, close);
- `tpm log`, `tpm status` and `tpm list` each as a real process, the median wall and
  CPU time of `--runs` runs (beside `python -c pass`);
- on a board of `--cards` cards open in a headless app: a card move with L, key to
  repaint, net of what a no-op key costs (target 80 ms on the server), and a colleague's
  move (another process moves a card and commits) until the open board has repainted
  it in its new column (target 1 s); each with the app process's CPU time beside.
Prints figures with the load average; never fails on a time. The server is stopped at
the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _moves import time_moves

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import contextlib, io, json, os, sys, time
from tpm_tui import cli as tpm
if "://" in os.environ["TPM_DB"]:  # what a server's first call would import: not timed
    import psycopg, tpm_tui.engine, tpm_tui.sql.statements

name, calls = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # everyone starts together, once every interpreter is loaded
cpu = time.process_time()
statuses = ["todo", "in_progress", "review", "done"]
latencies, failures, last = [], 0, None
for i in range(calls):
    step = i % 3
    if step == 0 or last is None:
        args = ["add", "story", f"{name}-{i}"]
    elif step == 1:
        args = ["log", "1m", "meetings", f"{name}-{i}"]
    else:
        args = ["move", last, statuses[i % 4]]
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = tpm.cli.main(args, standalone_mode=False)
    env = tpm._current_env()
    if env is not None and env._db is not None:
        env._db.close()
    latencies.append((time.perf_counter() - start) * 1000)
    if code:
        failures += 1
    elif args[0] == "add":
        last = out.getvalue().split("#", 1)[1].split()[0]
print(json.dumps({"latencies": latencies, "failures": failures, "cpu": time.process_time() - cpu}))
"""


def _env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env["TPM_DB"] = db
    env["TPM_USER"] = "bench"
    return env


def writers(db: str, count: int, calls: int) -> dict[str, float]:
    """`count` writer processes at once; throughput and latency figures."""
    env = _env(db)
    # The database is created (and migrated) before anything is timed.
    warm = subprocess.run(
        [sys.executable, "-m", "tpm_tui", "status"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if warm.returncode:
        raise SystemExit(f"cannot use {db}: {warm.stderr.strip()}")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{n}", str(calls)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    for proc in procs:
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready": Python and tpm loaded
    start = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    latencies: list[float] = []
    failures = 0
    cpu = 0.0
    for proc in procs:
        out, err = proc.communicate()  # after "go": stdin is closed, output read
        if proc.returncode:
            raise SystemExit(f"a writer failed: {err[-500:]}")
        result = json.loads(out.strip().splitlines()[-1])
        latencies += result["latencies"]
        failures += result["failures"]
        cpu += result["cpu"]
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "writes_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "failures": failures,
        "calls": len(latencies),
        "cpu_ms": cpu * 1000 / len(latencies),  # each writer's CPU per call
    }


COMMANDS = {
    "tpm log": ["log", "1m", "meetings", "bench"],
    "tpm status": ["status"],
    "tpm list": ["list"],
}


def commands(db: str, runs: int) -> dict[str, tuple[float, float]]:
    """Each of COMMANDS as a real process: the median wall time and CPU time (ms, the
    child's user + system) of `runs` runs, after a warm-up run of each; run in turns so
    that a busy moment of the machine hits them alike."""
    import resource

    env = _env(db)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for run in range(runs + 1):
        for name, args in COMMANDS.items():
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "tpm_tui", *args], env=env, check=True, capture_output=True
            )
            wall = (time.perf_counter() - start) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime) * 1000
            if run:
                samples[name].append((wall, cpu))
    return {
        name: (statistics.median(w for w, _ in found), statistics.median(c for _, c in found))
        for name, found in samples.items()
    }


COLLEAGUE = """
import sys, time
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import open_database
from tpm_tui.services import backlog

url, path = sys.argv[1], sys.argv[2]
from pathlib import Path
db = open_database(Location(url, Path(path) if path else None, "colleague"))
clock = Clock()
backlog.list_columns(db)  # connected and warm before anything is timed
print("ready", flush=True)
for line in sys.stdin:
    item, status = line.split()
    backlog.move_item(db, clock, int(item), status)
    print(time.monotonic(), flush=True)  # just committed
db.close()
"""

COLUMNS = ["backlog", "todo", "in_progress", "review", "done"]


def fill(location: Any, cards: int) -> None:
    """`cards` stories spread over the five columns, in one bulk insert."""
    from tpm_tui.db import open_database
    from tpm_tui.models import WorkItem

    db = open_database(location)
    now = datetime.now(UTC)
    with db.orm_write() as session:
        session.add_all(
            WorkItem(
                kind="story" if i % 5 else "bug",
                title=f"Story number {i} about a customer-facing change",
                status=COLUMNS[i % 5],
                rank=i,
                points=(1, 2, 3, 5, 8)[i % 5],
                owner="",
                created_at=now,
                updated_at=now,
            )
            for i in range(cards)
        )
    db.close()


def _cpu_ms(start: float) -> float:
    return (time.process_time() - start) * 1000


async def board_timings(location: Any, moves: int) -> dict[str, float]:
    """On a headless board: L (and H back) key to repaint, less a no-op key, with the
    CPU the move took beyond the no-op; then a colleague's moves, commit to repaint."""
    from tpm_tui.app import TpmApp
    from tpm_tui.clock import Clock
    from tpm_tui.screens.board import BoardScreen
    from tpm_tui.workspace import Workspace

    app = TpmApp(Workspace(location, Clock()))
    figures: dict[str, float] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.ready):
            await pilot.pause(0.05)
        board = app.screen
        await pilot.pause(0.5)
        # (a pause after each move: its notification is read before the next)
        move, noop, cpu = await time_moves(pilot, moves, between=0.3)
        figures |= {"move_ms": move * 1000, "noop_ms": noop * 1000, "move_cpu_ms": cpu * 1000}
        figures |= await _colleague(pilot, board, location, max(3, moves // 2))
    return figures


async def _colleague(pilot: Any, board: Any, location: Any, moves: int) -> dict[str, float]:
    """Another process moves cards one at a time; each is timed from its commit to the
    repaint that shows it in its new column."""
    path = str(location.path) if location.path is not None else ""
    other = subprocess.Popen(
        [sys.executable, "-c", COLLEAGUE, location.url, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdin is not None and other.stdout is not None
    while not (await asyncio.to_thread(other.stdout.readline)).startswith("ready"):
        pass
    seen, cpu = [], []
    try:
        for i in range(moves):
            column = board.columns["todo"]
            item = column.ids[-1 - i]  # not the cursor's card
            target = COLUMNS[(2 + i) % 4 + 1] if i % 4 != 3 else "backlog"
            await pilot.pause(0.6)  # a quiet board (the last read over)
            c = time.process_time()
            other.stdin.write(f"{item} {target}\n")
            other.stdin.flush()
            # Looked at without the Pilot (its pause walks every widget of the screen:
            # at 500 cards that alone cost more than what is measured).
            while not board.columns[target].has(item):
                await asyncio.sleep(0.002)
            painted = asyncio.Event()
            board.app.call_after_refresh(painted.set)
            await painted.wait()
            shown = time.monotonic()
            cpu.append(_cpu_ms(c))
            committed = float(await asyncio.to_thread(other.stdout.readline))
            seen.append((shown - committed) * 1000)
    finally:
        other.stdin.close()
        other.wait()
    return {
        "colleague_ms": statistics.median(seen),
        "colleague_max_ms": max(seen),
        "colleague_cpu_ms": statistics.median(cpu),
    }


def main() -> None:
    """Measure both engines and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--calls", type=int, default=30, help="CLI writes per writer")
    parser.add_argument("--runs", type=int, default=5, help="runs of each single command")
    parser.add_argument("--cards", type=int, default=500, help="cards on the open board")
    parser.add_argument("--moves", type=int, default=20, help="timed moves on the board")
    parser.add_argument(
        "--only", choices=("writers", "board"), help="measure one part (both by default)"
    )
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TPM_TEST_POSTGRES", "")
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from tests.postgres import start_server

    folder = Path(tempfile.mkdtemp(prefix="tpm-team-bench-"))
    server = start_server(tcp=True)
    try:
        print(
            f"PostgreSQL on 127.0.0.1:{server.port} (TCP loopback, fsync off as the tests"
            f" start it: SQLite's WAL at synchronous=NORMAL does not sync each commit"
            f" either); SQLite in {folder}"
        )
        print(f"load average at start {_load()}")
        if options.only != "board":
            _writers_table(server, folder, options)
        if options.only != "writers":
            _board_table(server, folder, options)
        print(f"load average at end {_load()}")
    finally:
        server.stop()
        shutil.rmtree(server.socket_dir, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _writers_table(server: Any, folder: Path, options: argparse.Namespace) -> None:
    server.psql("CREATE DATABASE bench")
    engines = {"sqlite": str(folder / "tpm.db"), "postgresql": server.tcp_url("bench")}
    print(f"{options.writers} writers x {options.calls} CLI writes (add, log, move)")
    header = ("engine", "writes/s", "p50 ms", "p95 ms", "cpu/call", "failed")
    print(f"{header[0]:<12}" + "".join(f"{h:>10}" for h in header[1:5]) + f"{header[5]:>8}")
    for name, db in engines.items():
        figures = writers(db, options.writers, options.calls)
        print(
            f"{name:<12}{figures['writes_per_s']:>10.1f}{figures['p50_ms']:>10.1f}"
            f"{figures['p95_ms']:>10.1f}{figures['cpu_ms']:>10.1f}{figures['failures']:>8}"
        )
    print(f"one command as a real process, median of {options.runs}: wall ms (cpu ms)")
    floor = commands_floor(options.runs)
    print(f"{'':<12}" + "".join(f"{name:>20}" for name in COMMANDS) + f"   python -c pass {floor}")
    for name, db in engines.items():
        timed = commands(db, options.runs)
        cells = "".join(f"{f'{w:.0f} ({c:.0f})':>20}" for w, c in timed.values())
        print(f"{name:<12}{cells}   load {_load()}")


def commands_floor(runs: int) -> str:
    """What starting Python itself costs here (wall and CPU ms of `python -c pass`)."""
    import resource

    walls, cpus = [], []
    for _ in range(runs):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime) * 1000)
    return f"{statistics.median(walls):.0f} ({statistics.median(cpus):.0f})"


def _board_table(server: Any, folder: Path, options: argparse.Namespace) -> None:
    from tpm_tui.config import Location

    server.psql("CREATE DATABASE board")
    file = folder / "board.db"
    engines = {
        "sqlite": Location(f"sqlite:///{file}", file, "bench"),
        "postgresql": Location(server.tcp_url("board"), None, "bench"),
    }
    print(
        f"an open board of {options.cards} cards (headless, 160x50): a move with L, key to"
        f" repaint, median of {options.moves}, net of a no-op key (target 80 ms);"
        " a colleague's move, its commit to the repaint (target 1 s); CPU of the app process"
    )
    for name, location in engines.items():
        fill(location, options.cards)
        f = asyncio.run(board_timings(location, options.moves))
        net = max(0.0, f["move_ms"] - f["noop_ms"])
        print(
            f"{name:<12}move {f['move_ms']:5.0f} ms - no-op {f['noop_ms']:3.0f} ms ="
            f" net {net:4.0f} ms (cpu {f['move_cpu_ms']:4.0f} ms);"
            f" colleague's move seen in {f['colleague_ms']:4.0f} ms (max"
            f" {f['colleague_max_ms']:4.0f}, cpu {f['colleague_cpu_ms']:4.0f} ms); load {_load()}"
        )


if __name__ == "__main__":
    main()
