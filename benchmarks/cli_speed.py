"""How fast are the shell's commands, beside floors measured in the same run (and, with
--peers, beside watson, the time tracker people compare tpm with)?

Run: .venv/bin/python benchmarks/cli_speed.py [--runs N] [--peers]

Every command runs once per round, round after round (so a busy moment of the machine
hits all of them alike), and the median of each is printed with its ratio to its
reference. `--peers` installs watson (td-watson) into a virtual environment of its own
under the system's temporary folder, once, and times `watson add`, `watson status`
and `watson report` on the same kind of data (100,000 frames for the report). Never
fails on a time; the test suite never needs watson.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

PEERS_VENV = Path(tempfile.gettempdir()) / "tpm-bench-peers"
FRAMES = 100_000


def median_ms(command: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of `runs` runs of `command`, after one warm-up run."""
    return round_robin({"x": (command, env)}, runs)["x"]


def round_robin(
    commands: dict[str, tuple[list[str], dict[str, str]]], runs: int
) -> dict[str, float]:
    """Median wall time (ms) of each command over `runs` rounds, one run of each per
    round, after a warm-up round."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(runs + 1):
        for name, (command, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            if round_no:
                samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def tpm_workspaces(folder: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """The demo workspace (a backlog and a month of time) and one with 100,000 entries
    over ten years (for `tpm report`)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from week_speed import make_workspace

    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.services.demo import build_demo

    demo = folder / "demo.db"
    db = open_database(Location(f"sqlite:///{demo}", demo, "bench"))
    build_demo(db, Clock())
    db.close()
    heavy = folder / "heavy.db"
    make_workspace(heavy)
    return demo, heavy


def watson(env: dict[str, str]) -> Path:
    """watson's executable in its own virtual environment (installed on first use)."""
    exe = PEERS_VENV / "bin" / "watson"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run(
            [str(PEERS_VENV / "bin" / "pip"), "install", "-q", "td-watson"], check=True, env=env
        )
    return exe


def watson_frames(folder: Path, frames: int) -> None:
    """A watson folder holding `frames` frames over ten years (its JSON format)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    moment = datetime.now(UTC) - timedelta(days=3650)
    rows = []
    for index in range(frames):
        end = moment + timedelta(minutes=rng.choice((15, 30, 30, 45, 60)))
        project = rng.choice(("meetings", "tooling", "deliverables"))
        rows.append(
            [
                int(moment.timestamp()),
                int(end.timestamp()),
                project,
                f"{index:032x}",
                [],
                int(end.timestamp()),
            ]
        )
        moment = end if end.hour < 18 else (end + timedelta(hours=14))
    (folder / "frames").write_text(json.dumps(rows))
    (folder / "state").write_text("{}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--peers", action="store_true", help="also time watson (installs it)")
    options = parser.parse_args(argv)
    py = sys.executable
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TPM_", "WATSON_"))}
    # As installed programs run: with their bytecode cached (the warm-up round writes it).
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo, heavy = tpm_workspaces(folder, base)
        on_demo = {**base, "TPM_DB": str(demo)}
        on_heavy = {**base, "TPM_DB": str(heavy)}
        tpm = [py, "-m", "tpm_tui"]
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([py, "-c", "pass"], base),
            "python -c 'import sqlite3'": ([py, "-c", "import sqlite3"], base),
            "tpm log 1m meetings standup": ([*tpm, "log", "1m", "meetings", "standup"], on_demo),
            "tpm status --short": ([*tpm, "status", "--short"], on_demo),
            "tpm status": ([*tpm, "status"], on_demo),
            "tpm list --format json": ([*tpm, "list", "--format", "json"], on_demo),
            "tpm move 7 review": ([*tpm, "move", "7", "review"], on_demo),
            "tpm report (100,000 entries)": ([*tpm, "report"], on_heavy),
        }
        if options.peers:
            exe = str(watson(base))
            light, many = folder / "watson-light", folder / "watson-heavy"
            watson_frames(light, 200)
            watson_frames(many, FRAMES)
            w_light = {**base, "WATSON_DIR": str(light)}
            w_many = {**base, "WATSON_DIR": str(many)}
            commands |= {
                "watson add -f 09:00 -t 09:30 standup": (
                    [exe, "add", "-f", "09:00", "-t", "09:30", "standup"],
                    w_light,
                ),
                "watson status": ([exe, "status"], w_light),
                "watson report (100,000 frames)": ([exe, "report"], w_many),
            }
        medians = round_robin(commands, options.runs)
    pass_ms = medians["python -c pass"]
    print(f"median of {options.runs} round-robin runs each, ms (ratio to the reference)")
    references = {
        "tpm log 1m meetings standup": "watson add -f 09:00 -t 09:30 standup",
        "tpm status": "watson status",
        "tpm report (100,000 entries)": "watson report (100,000 frames)",
    }
    for name, ms in medians.items():
        line = f"{name:<40}{ms:8.1f}   {ms / pass_ms:5.2f}x python -c pass"
        peer = references.get(name)
        if peer in medians:
            line += f"   {ms / medians[peer]:5.2f}x {peer.split(' (')[0].split(' -')[0]}"
        print(line)
    print(
        "goals: tpm log <= 1.0x watson add; tpm status --short <= 6x python -c pass; "
        "tpm report at 100,000 <= 0.15x watson report"
    )


if __name__ == "__main__":
    main()
