"""A 5,000-line PRD in the document editor: opening it (key to painted, net of a no-op
key) and typing in its middle (median key to repaint, net of a no-op key), beside
Textual's own TextArea with `language="markdown"` on the same text, measured in the same
run; then the goals screen with 50 goals, 500 key-result values and 300 epics (its
first opening, in fresh processes, right after the board's first paint and after the
board sat idle); then `tpm report status` beside `tpm report` over 100,000 entries
and 5,000 items.

Run: .venv/bin/python benchmarks/prd_speed.py [--quick | --report | --goals | --editor]
Prints figures; never fails on a time. `--quick` skips the 100,000-entry part,
`--report` runs only it, `--goals` only the goals screen's part, `--editor` only
the editor's.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _first_open import IDLE, first_opens

LINES = 5_000
GOAL_RUNS = 5  # fresh processes per first opening
TYPED = "the quick brown fox jumps"


def document(lines: int = LINES) -> str:
    """A PRD-like Markdown text: headings, paragraphs with emphasis, links and code,
    lists, notes and a fenced block every few sections."""
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += [
            f"## Section {i}",
            "",
            f"Some **bold** text, a [link](https://example.com/{i}) and `code` in a "
            f"paragraph long enough to wrap on a narrow terminal, number {i}.",
            "",
            "- a requirement a test can check",
            "- another one, with *emphasis* and more words to wrap perhaps",
            "<!-- a note -->" if i % 3 else "```",
            "" if i % 3 else "```",
        ]
        i += 1
    return "\n".join(out[:lines])


async def _noop(pilot: Any, clock: Any = time.perf_counter) -> float:
    times: list[float] = []
    for _ in range(15):
        t = clock()
        await pilot.press("f9")  # unbound: the Pilot's own cost of a key
        await pilot.pause()
        times.append((clock() - t) * 1000)
    return statistics.median(times)


class Editor:
    """One editor's figures (ms): `opened` (key to painted, wall or CPU), `key` and
    `noop` (median Pilot key and no-op key on the editor's screen, wall or CPU), and
    `paint` (median of a key sent to its last frame rendered for the terminal)."""

    def __init__(self, opened: float, key: float, noop: float, paint: float) -> None:
        self.opened, self.key, self.noop, self.paint = opened, key, noop, paint


async def measure_editor(text: str, plain_textual: bool, clock: Any = time.perf_counter) -> Editor:
    """The document editor, or Textual's TextArea with tree-sitter Markdown, by the wall
    clock or by this process's CPU time (`time.process_time`: what a busy machine's
    other programs do not add).

    A Pilot key's time is mostly the Pilot's own (it polls in 20 ms slices until the
    process is idle), so beside it each typed key is timed from the moment it is sent
    to the moment its last frame is rendered into what a terminal is sent: the frame
    is rendered to text as a real terminal's driver does (the headless driver skips
    that), and that rendering is counted."""
    from textual import events
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static, TextArea

    from tpm_tui.screens.prd import DocumentEditor

    class Plain(Screen[None]):
        def compose(self) -> ComposeResult:
            yield TextArea(text, language="markdown", soft_wrap=True)

    painted: list[float] = []

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("bench")

        def _display(self, screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None:
                renderable.render_segments(self.console)
                painted.append(time.perf_counter())
            super()._display(screen, renderable)

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t = clock()
        screen: Screen[Any] = (
            Plain() if plain_textual else DocumentEditor("PRD", text, lambda _: "saved")
        )
        await app.push_screen(screen)
        await pilot.pause()
        opened = (clock() - t) * 1000
        area = screen.query_one(TextArea)
        area.focus()
        area.move_cursor((LINES // 2, 5))
        await pilot.pause()
        noop = await _noop(pilot, clock)  # on the editor's screen, as the keys
        keys, paints = [], []
        for ch in TYPED:
            key = "space" if ch == " " else ch
            t = clock()
            await pilot.press(key)
            await pilot.pause()
            keys.append((clock() - t) * 1000)
        assert app._driver is not None
        for ch in TYPED:
            painted.clear()
            sent = time.perf_counter()
            app._driver.send_message(events.Key("space" if ch == " " else ch, ch))
            await pilot.pause()
            assert painted, "a typed key painted nothing"
            paints.append((painted[-1] - sent) * 1000)
        assert TYPED in area.document[LINES // 2]
    return Editor(opened, statistics.median(keys), noop, statistics.median(paints))


def make_goals(path: Path, goals: int = 50, values: int = 500, epics: int = 300) -> None:
    """Goals with two key results each, values spread over them, epics linked."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.models import KeyResult, KeyResultValue, WorkItem
    from tpm_tui.services import goals as goal_service

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    clock = Clock()
    rng = random.Random(7)
    now = datetime.now(UTC)
    ids = [goal_service.create_goal(db, clock, f"Goal {g}").id for g in range(goals)]
    with db.orm_write() as session:
        results: list[int] = []
        for g in ids:
            for k in range(2):
                kr = KeyResult(
                    goal_id=g,
                    title=f"Metric {g}.{k}",
                    unit="%",
                    baseline=10,
                    target=40,
                    position=k,
                    created_at=now,
                )
                session.add(kr)
                session.flush()
                assert kr.id is not None
                results.append(kr.id)
        for v in range(values):
            session.add(
                KeyResultValue(
                    key_result_id=rng.choice(results),
                    value=rng.uniform(5, 45),
                    recorded_on=date.today() - timedelta(days=v % 90),
                    created_at=now,
                )
            )
        for e in range(epics):
            session.add(
                WorkItem(
                    kind="epic",
                    title=f"Epic {e}",
                    status="in_progress",
                    rank=e,
                    goal_id=rng.choice(ids),
                    created_at=now,
                    updated_at=now,
                )
            )
    db.close()


def measure_goals(
    path: Path, runs: int
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Key 6 to the goals screen painted, and key 4 to the (empty) week screen painted
    (a floor: an existing screen's first paint), each right after the board's first
    paint, in processes of their own; and key 6 after the board sat idle (the goals
    screen built ahead). Each the median of `runs` fresh processes, wall and CPU
    time, with their net values (less a no-op key's, the Pilot's own cost)."""
    cold = first_opens(path, "cold", ["6"], runs)
    floor = first_opens(path, "cold", ["4"], runs)
    idle = first_opens(path, "idle", ["6"], runs)
    return cold["6"], floor["4"], idle["6"]


def add_items(path: Path, epics: int = 100, stories_each: int = 49) -> None:
    """5,000 items: epics with dates, each with stories spread over the columns, some
    done this week, some blocked."""
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.models import WorkItem

    db = open_database(Location(f"sqlite:///{path}", path, "bench"))
    rng = random.Random(9)
    now = datetime.now(UTC)
    columns = ("backlog", "todo", "in_progress", "review", "done")
    with db.orm_write() as session:
        for e in range(epics):
            start = date.today() - timedelta(days=rng.randint(0, 200))
            epic = WorkItem(
                kind="epic",
                title=f"Epic {e}",
                status="in_progress",
                rank=e,
                start_date=start,
                target_date=start + timedelta(days=rng.randint(30, 300)),
                created_at=now,
                updated_at=now,
            )
            session.add(epic)
            session.flush()
            for s in range(stories_each):
                column = rng.choice(columns)
                done = now - timedelta(days=rng.randint(0, 60)) if column == "done" else None
                session.add(
                    WorkItem(
                        kind="story",
                        title=f"Story {e}.{s}",
                        status=column,
                        rank=s,
                        points=rng.choice((1, 2, 3, 5, 8)),
                        parent_id=epic.id,
                        created_at=now,
                        updated_at=now - timedelta(days=rng.randint(0, 20)),
                        done_at=done,
                    )
                )
    db.close()


def time_commands(
    path: Path, commands: dict[str, list[str]], runs: int = 15
) -> dict[str, tuple[float, float]]:
    """Per command, the median wall time of `tpm ARGS` in ms and its median CPU time
    (what other programs on a busy machine do not add). Fair to each: one untimed run
    of every command first (the file and Python's own modules in the page cache), then
    the commands in turn, in alternating order, on the same unchanged workspace."""
    import resource

    tpm = [sys.executable, "-m", "tpm_tui", "--db", str(path)]
    for args in commands.values():
        subprocess.run([*tpm, *args], check=True, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    order = list(commands)
    for run in range(runs):
        for name in order if run % 2 == 0 else order[::-1]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([*tpm, *commands[name]], check=True, stdout=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - t) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            cpu[name].append(used * 1000)
    return {n: (statistics.median(times[n]), statistics.median(cpu[n])) for n in commands}


def _ratio(label: str, week: tuple[float, float], status: tuple[float, float]) -> None:
    print(f"  {label}:")
    print(f"    tpm report: {week[0]:.0f} ms   tpm report status: {status[0]:.0f} ms")
    print(f"    ratio {status[0] / week[0]:.2f} (target within 1.3x)")
    print(
        f"    by CPU time: {week[1]:.0f} ms and {status[1]:.0f} ms, ratio {status[1] / week[1]:.2f}"
    )


def main() -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    if "--goals" in sys.argv:
        goals_screen()
        return
    if "--editor" in sys.argv:
        screens(goals=False)
        return
    if "--report" not in sys.argv:
        screens()
    if "--quick" not in sys.argv:
        report_commands()


def screens(goals: bool = True) -> None:
    """The PRD editor and the goals screen."""
    text = document()
    ours = asyncio.run(measure_editor(text, plain_textual=False))
    plain = asyncio.run(measure_editor(text, plain_textual=True))
    print(f"PRD of {LINES:,} lines ({len(text):,} characters), headless 120x40")
    print(f"  document editor: open {ours.opened:.0f} ms (net {ours.opened - ours.noop:.0f} ms)")
    print(f"    a key, sent to its frame rendered: median {ours.paint:.1f} ms")
    net = ours.key - ours.noop
    print(f"    a key by the Pilot: {ours.key:.1f} ms, net of a no-op key {net:.1f} ms")
    print("    [targets: open < 150 ms net, a key < 16 ms]")
    print(f"  Textual TextArea, language=markdown: open {plain.opened:.0f} ms, a key to its frame")
    print(f"    {plain.paint:.1f} ms, by the Pilot net {plain.key - plain.noop:.1f} ms")
    print(f"  (a no-op key costs the Pilot {ours.noop:.1f} ms by itself; load average")
    print(f"  {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    cpu = time.process_time
    ours = asyncio.run(measure_editor(text, plain_textual=False, clock=cpu))
    plain = asyncio.run(measure_editor(text, plain_textual=True, clock=cpu))
    print("  by CPU time of this process (what other programs on a busy machine do not add):")
    print(f"    document editor: open net {ours.opened - ours.noop:.0f} ms, a key net")
    print(f"    {ours.key - ours.noop:.1f} ms")
    print(f"    Textual TextArea markdown: open net {plain.opened - plain.noop:.0f} ms, a key net")
    print(f"    {plain.key - plain.noop:.1f} ms")
    if goals:
        goals_screen()


def goals_screen() -> None:
    """The goals screen's first openings."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tpm.db"
        make_goals(path)
        goals, floor, idle = measure_goals(path, GOAL_RUNS)
    print("goals screen, 50 goals, 100 key results, 500 values, 300 epics (160x50),")
    print(f"first openings, each the median of {GOAL_RUNS} fresh processes:")
    print(f"  key 6 to painted: {goals['wall']:.0f} ms (net {goals['net']:.0f} ms; target < 100)")
    print(f"  floor: key 4 to the (empty) week screen painted: {floor['wall']:.0f} ms", end="")
    print(f" (net {floor['net']:.0f} ms)")
    print(f"  key 6 after the board sat idle {IDLE:.0f} s (built ahead): ", end="")
    print(f"{idle['wall']:.0f} ms (net {idle['net']:.0f} ms)")
    print(
        f"  (idle: the screens built ahead before the key in {idle['built_runs']} of"
        f" {GOAL_RUNS} runs, the last ready {idle['built_after']:.2f} s after the board's data)"
    )
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores during the run)")
    print(
        f"  by CPU time: key 6 net {goals['cpu_net']:.0f} ms, key 4 net {floor['cpu_net']:.0f}"
        f" ms, key 6 after idle net {idle['cpu_net']:.0f} ms"
    )


def report_commands() -> None:
    """`tpm report status` beside `tpm report`."""
    sys.path.insert(0, str(Path(__file__).parent))
    from week_speed import make_workspace

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tpm.db"
        make_workspace(path)
        add_items(path)
        commands = {"report": ["report"], "status": ["report", "status"]}
        package = Path(__file__).parent.parent / "tpm_tui"
        # With PYTHONDONTWRITEBYTECODE set (as here) and no bytecode of tpm's, every run
        # compiles tpm's sources, and the status report imports more of them: measured
        # so first (bytecode a previous run left is removed: it is generated), then
        # with the package's bytecode compiled, as installing it does.
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            for cache in package.rglob("__pycache__"):
                shutil.rmtree(cache)
        as_run = time_commands(path, commands)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(package)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        compiled = time_commands(path, commands)
    print("100,000 entries, 5,000 items")
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    label = "sources compiled on each run" if flag else "as run"
    _ratio(f"{label} (PYTHONDONTWRITEBYTECODE={flag!r})", as_run["report"], as_run["status"])
    _ratio("with tpm's bytecode compiled", compiled["report"], compiled["status"])
    print(f"  (medians of 15 runs each, in turn; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
