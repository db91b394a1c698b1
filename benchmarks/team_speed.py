"""How fast do shells write to one workspace at once, on SQLite and on PostgreSQL, in
the same run?

Run: .venv/bin/python benchmarks/team_speed.py [--writers 10] [--calls 30] [--runs 5]

Starts a throwaway PostgreSQL server (as the test suite does: initdb and pg_ctl in a
temporary folder, on a Unix socket; as the `postgres` user when run as root) and a
SQLite file, then on each:
- 10 writers at once, each one process making `--calls` CLI writes one after another
  (`tpm log`, `tpm add`, `tpm move` in turn, run in-process through the CLI so that
  Python's start-up is not what is measured): writes per second over the whole run, and
  the median and 95th percentile of one call's latency (open, write, commit, close);
- one real `tpm log 1m meetings` process, the median wall time of `--runs` runs.
Prints figures; never fails on a time. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import contextlib, io, json, os, sys, time
from tpm_tui import cli as tpm
if "://" in os.environ["TPM_DB"]:  # what a server's first call would import: not timed
    import psycopg, tpm_tui.engine, tpm_tui.sql.statements

name, calls = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # everyone starts together, once every interpreter is loaded
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
print(json.dumps({"latencies": latencies, "failures": failures}))
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
    for proc in procs:
        out, err = proc.communicate()  # after "go": stdin is closed, output read
        if proc.returncode:
            raise SystemExit(f"a writer failed: {err[-500:]}")
        result = json.loads(out.strip().splitlines()[-1])
        latencies += result["latencies"]
        failures += result["failures"]
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "writes_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "failures": failures,
        "calls": len(latencies),
    }


def single_log(db: str, runs: int) -> float:
    """Median wall time (ms) of one real `tpm log` process, after a warm-up run."""
    env = _env(db)
    samples = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tpm_tui", "log", "1m", "meetings", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        if run:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Measure both engines and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--calls", type=int, default=30, help="CLI writes per writer")
    parser.add_argument("--runs", type=int, default=5, help="runs of the single tpm log")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TPM_TEST_POSTGRES", "")
    from tests.postgres import start_server

    folder = Path(tempfile.mkdtemp(prefix="tpm-team-bench-"))
    server = start_server()
    try:
        server.psql("CREATE DATABASE bench")
        engines = {
            "sqlite": str(folder / "tpm.db"),
            "postgresql": server.url("bench").replace("postgresql+psycopg", "postgresql"),
        }
        print(
            f"{options.writers} writers x {options.calls} CLI writes (add, log, move);"
            f" one `tpm log` process, median of {options.runs}"
        )
        header = ("engine", "writes/s", "p50 ms", "p95 ms", "failed", "tpm log ms")
        print(
            f"{header[0]:<12}"
            + "".join(f"{h:>10}" for h in header[1:4])
            + f"{header[4]:>8}{header[5]:>12}"
        )
        for name, db in engines.items():
            figures = writers(db, options.writers, options.calls)
            log_ms = single_log(db, options.runs)
            print(
                f"{name:<12}{figures['writes_per_s']:>10.1f}{figures['p50_ms']:>10.1f}"
                f"{figures['p95_ms']:>10.1f}{figures['failures']:>8}{log_ms:>12.0f}"
            )
    finally:
        server.stop()
        shutil.rmtree(server.socket_dir, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
