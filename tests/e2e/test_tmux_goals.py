"""Goals in the real program (tmux): `tpm goal add`, link an epic, open `6` and see
both; `R` on the week screen writes the status report, which names the epic."""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_tpm
from tests.e2e.test_tmux import Terminal, terminal_env

__all__ = ["terminal_env"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_a_goal_its_epic_and_the_status_report(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    db = Path(terminal_env["TPM_DB"])
    reports = tmp_path / "reports"
    terminal_env["TPM_REPORTS"] = str(reports)
    for args in (
        ("add", "epic", "Self-serve invoicing"),
        ("goal", "add", "Customers bill themselves"),
        ("goal", "kr", "G1", "Activation", "--baseline", "12", "--target", "25", "--unit", "%"),
        ("edit", "1", "--goal", "G1"),
    ):
        done = run_tpm(*args, db_path=db)
        assert done.returncode == 0, done.stderr
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui", terminal_env)
    try:
        term.wait_for("Backlog  0")  # the board (of stories, bugs and debt)
        term.keys("6")
        screen = term.wait_for("G1 Customers bill themselves")
        assert "KR1 Activation" in screen
        assert "#1 Self-serve invoicing" in screen
        term.keys("4")
        term.wait_for("Week 2026-W48")
        term.keys("R")
        term.wait_for("Status report written")
        deadline = time.monotonic() + 5
        while not list(reports.glob("status-2026-W48*.md")) and time.monotonic() < deadline:
            time.sleep(0.05)
        [written] = reports.glob("status-2026-W48*.md")  # named with the workspace's folder
        text = written.read_text(encoding="utf-8")
        assert "| #1 Self-serve invoicing |" in text
        assert "G1 Customers bill themselves" in text
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
