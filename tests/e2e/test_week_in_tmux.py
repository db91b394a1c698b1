"""A TPM's week in tmux (tests/e2e/week_in_tmux.py) at 120x40 and 80x24: after every
key and command the screen and the database must agree. A disagreement not yet known
fails the test with both views; the known ones (KNOWN in the script, each reproduced
by hand) make it an expected failure that names them, and one that no longer happens
fails it, so the entry goes with the fix."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("week_in_tmux.py")
BUDGET = 240  # seconds before the run is stopped (it takes 60-120 s on a busy machine)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.mark.parametrize("size", ["120x40", "80x24"])
def test_the_screen_and_the_database_agree_all_week(size: str) -> None:
    """Monday to Friday at `size`: every comparison agrees (or only the known ones fail)."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--size", size],
            capture_output=True,
            text=True,
            timeout=BUDGET,
            check=False,
        )
    except subprocess.TimeoutExpired as stopped:
        pytest.fail(f"the week did not end in {BUDGET} s:\n{stopped.stdout!s}")
    took = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("the screen and the database agreed"), output
    print(f"{summary} [{took:.0f} s]")
    known = re.findall(r"! known disagreement: (.*)", output)
    if known:
        pytest.xfail("; ".join(sorted(set(known))))
