"""The sprint screen in the real program, in a real terminal (tmux): plan a sprint made
in the shell with `>`, quit, and check that `tpm sprint show` lists what was pulled; at
80x24 and at 200x50."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import run_tpm
from tests.e2e.test_tmux import Terminal, terminal_env

pytestmark = pytest.mark.e2e
__all__ = ["terminal_env"]  # the fixture, used by name


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_plan_a_sprint_in_the_real_program(
    terminal_env: dict[str, str], size: tuple[int, int]
) -> None:
    db = Path(terminal_env["TPM_DB"])
    made = run_tpm("sprint", "new", "Sprint 25", "--start", "mon", "--length", "2w", db_path=db)
    assert made.returncode == 0, made.stderr
    for title, points in (("Export invoices", "5"), ("Fix the footer", "3")):
        assert run_tpm("add", "story", title, "--points", points, db_path=db).returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui sprint", terminal_env, size)
    try:
        term.wait_for("#1 Export invoices")
        term.wait_for("planned 0")
        term.keys(">")  # the first backlog item into the sprint
        screen = term.wait_for("planned 5")
        assert "Traceback" not in screen
        term.wait_for("Sprint 25  1 item · 5 pts")
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
    shown = json.loads(run_tpm("sprint", "show", "--format", "json", db_path=db).stdout)
    assert [(i["id"], i["title"]) for i in shown["items"]] == [(1, "Export invoices")]
    assert shown["added_points"] == 5  # planned on the sprint's Thursday: added scope
