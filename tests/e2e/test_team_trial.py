"""Two people on one team database in tmux (tests/e2e/team_trial.py), two days of the
sprint with a server restart on the second: after every key and command both boards
and both timer badges agree with the database, each one's report holds only their own
hours, and the outage is said plainly and survived (run the script with `--days 10`
for the whole sprint)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("team_trial.py")
BUDGET = 600  # seconds before the run is stopped (about 170 s on a busy machine)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_two_people_agree_with_the_database_through_a_server_restart() -> None:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--days", "2", "--restart-on", "2"],
            capture_output=True,
            text=True,
            timeout=BUDGET,
            check=False,
        )
    except subprocess.TimeoutExpired as stopped:
        pytest.fail(f"the trial did not end in {BUDGET} s:\n{stopped.stdout!s}")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "0 disagreements" in output, output
    print(f"{output.strip().splitlines()[-1]} [{time.monotonic() - started:.0f} s]")
