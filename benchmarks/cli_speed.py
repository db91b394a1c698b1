"""How fast are `tpm log` and `tpm report` end to end, beside `import sqlmodel`?

Run: .venv/bin/python benchmarks/cli_speed.py [runs]
Prints medians in milliseconds and the ratio to the floor measured in the same run
(target: within 1.3x of `python -c "import sqlmodel"`). Never fails on a time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(command: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of `runs` runs of `command`, after one warm-up run."""
    subprocess.run(command, env=env, check=True, capture_output=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TPM_DB": str(Path(folder) / "tpm.db")}
        env.pop("TPM_NOW", None)
        # a realistic workspace: the demo's month of entries and backlog
        subprocess.run([py, "-m", "tpm_tui", "status"], env=env, check=True, capture_output=True)
        from tpm_tui.clock import Clock
        from tpm_tui.config import resolve_location
        from tpm_tui.db import open_database
        from tpm_tui.services.demo import build_demo

        db = open_database(resolve_location(env["TPM_DB"], {}))
        build_demo(db, Clock())
        db.close()

        floor = median_ms([py, "-c", "import sqlmodel"], env, runs)
        rows = [
            ("python -c 'import sqlmodel' (floor)", floor),
            (
                "tpm log 1m meetings bench",
                median_ms([py, "-m", "tpm_tui", "log", "1m", "meetings", "bench"], env, runs),
            ),
            ("tpm report", median_ms([py, "-m", "tpm_tui", "report"], env, runs)),
            ("tpm status", median_ms([py, "-m", "tpm_tui", "status"], env, runs)),
            (
                "tpm list --format json",
                median_ms([py, "-m", "tpm_tui", "list", "--format", "json"], env, runs),
            ),
        ]
    print(f"median of {runs} runs each, ms")
    for name, ms in rows:
        print(f"{name:<40}{ms:8.1f}   {ms / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
