"""The real `tpm` in a real terminal (tmux): open the board, move a card, quit, and
check what the command line sees. Polls the screen instead of sleeping."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW, run_tpm

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Terminal:
    """A tmux session running one command."""

    def __init__(
        self, command: str, env: dict[str, str], size: tuple[int, int] = (120, 40)
    ) -> None:
        self.name = f"tpm-e2e-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # A server of its own: another tmux server's sizes and options cannot leak in.
        subprocess.run(
            [
                "tmux",
                "-L",
                self.name,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                f"env -u COLUMNS -u LINES {exports} {command}; echo TPM-EXITED $?; sleep 30",
            ],
            check=True,
        )

    def screen(self) -> str:
        """The visible text."""
        return subprocess.run(
            ["tmux", "-L", self.name, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """Poll until `text` is on screen; fail with the screen otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        """Press keys (tmux key names)."""
        for key in keys:
            subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        """Type text literally."""
        subprocess.run(
            ["tmux", "-L", self.name, "send-keys", "-t", self.name, "-l", text], check=True
        )

    def close(self) -> None:
        """End the session."""
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


@pytest.fixture
def terminal_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        "TPM_DB": str(tmp_path / "tpm.db"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "TEXTUAL_ANIMATIONS": "none",
        "TPM_NOW": NOW.isoformat(),  # a fixed Thursday 10:00, whatever the hour of the run
        "TZ": "Europe/Berlin",
    }
    yield env


def test_move_a_card_in_the_real_program(terminal_env: dict[str, str], tmp_path: Path) -> None:
    db = Path(terminal_env["TPM_DB"])
    for title in ("Export invoices", "Fix the footer"):
        assert run_tpm("add", "story", title, "--points", "3", db_path=db).returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui", terminal_env)
    try:
        term.wait_for("#1 Export invoices")
        term.wait_for("Backlog  2")
        term.keys("L")  # move the focused card (#1) to To Do
        term.wait_for("To Do  1")
        term.keys("L")  # the focus went with it: on to In Progress
        term.wait_for("1/5 WIP")
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
    listed = run_tpm("list", "--format", "json", db_path=db)
    statuses = {item["id"]: item["status"] for item in json.loads(listed.stdout)}
    assert statuses == {1: "in_progress", 2: "backlog"}


def test_a_file_that_is_not_a_database_is_refused_before_the_board(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    env = {**terminal_env, "TPM_DB": str(notes)}
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui", env)
    try:
        screen = term.wait_for("TPM-EXITED 1")
        assert f"tpm: {notes}: not a usable tpm database" in screen.replace("\n", "")
        assert "Traceback" not in screen
    finally:
        term.close()
    assert notes.read_text() == "not a database\n" * 100


def test_quick_log_in_the_real_program(terminal_env: dict[str, str]) -> None:
    db = Path(terminal_env["TPM_DB"])
    assert run_tpm("add", "story", "Export invoices", db_path=db).returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui", terminal_env)
    try:
        term.wait_for("#1 Export invoices")
        term.keys("t")
        term.wait_for("Log time")
        term.type("45m m sprint planning #1")
        term.wait_for("→ 45m · meetings · sprint planning · #1 Export invoices")
        term.keys("Enter")
        term.wait_for("Logged 45m meetings")
        term.keys("4")
        term.wait_for("45m logged")
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
    report = json.loads(run_tpm("report", "--format", "json", db_path=db).stdout)
    assert report["categories"]["meetings"]["minutes"] == 45


def test_shift_an_epic_on_the_roadmap(terminal_env: dict[str, str]) -> None:
    db = Path(terminal_env["TPM_DB"])
    added = run_tpm(
        "add",
        "epic",
        "Self-serve invoicing",
        "--start",
        "2026-11-02",
        "--target",
        "2026-12-04",
        db_path=db,
    )
    assert added.returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui roadmap", terminal_env)
    try:
        term.wait_for("EPIC #1 Self-serve invoicing")
        term.keys("L")
        term.keys(">")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            item = json.loads(run_tpm("list", "--format", "json", db_path=db).stdout)[0]
            if item["target_date"] == "2026-12-18":
                break
            time.sleep(0.1)
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
    item = json.loads(run_tpm("list", "--format", "json", db_path=db).stdout)[0]
    assert (item["start_date"], item["target_date"]) == ("2026-11-09", "2026-12-18")


def test_time_and_roadmap_at_80x24_in_the_real_program(terminal_env: dict[str, str]) -> None:
    """j j j j x deletes the fifth entry; the roadmap's status words and week labels
    stay whole at 80 columns."""
    db = Path(terminal_env["TPM_DB"])
    for number, note in enumerate(["one", "two", "three", "four", "five"], start=1):
        at = NOW.replace(hour=8, minute=0) + timedelta(minutes=20 * number)
        logged = run_tpm("log", "20m", "t", note, db_path=db, env={"TPM_NOW": at.isoformat()})
        assert logged.returncode == 0, logged.stderr
    added = run_tpm(
        "add",
        "epic",
        "A long platform rewrite",
        "--start",
        "2026-10-05",
        "--target",
        "2027-09-30",
        db_path=db,
    )
    assert added.returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui time", terminal_env, (80, 24))
    try:
        term.wait_for("five")
        term.keys("j", "j", "j", "j", "x")
        term.wait_for("Deleted 20m tooling · five")
        term.keys("2")
        screen = term.wait_for("EPIC #1")
        assert "0% on track" in screen and "W48" in screen
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
    listed = run_tpm("report", "--format", "json", db_path=db)
    assert json.loads(listed.stdout)["categories"]["tooling"]["minutes"] == 80


def _board_order(screen: str, column_start: int, column_end: int) -> list[int]:
    """The ids of the cards in one column of the captured screen, top to bottom."""
    import re

    ids = []
    for line in screen.splitlines()[3:]:
        cell = line[column_start:column_end]
        if m := re.match(r"\s*#(\d+) ", cell):
            ids.append(int(m.group(1)))
    return ids


def test_an_edit_from_the_shell_shows_on_the_open_board(terminal_env: dict[str, str]) -> None:
    db = Path(terminal_env["TPM_DB"])
    for title in ("Export invoices", "Fix the footer", "Email reminders"):
        assert run_tpm("add", "story", title, "--points", "3", db_path=db).returncode == 0
    term = Terminal(f"{shlex.quote(sys.executable)} -m tpm_tui", terminal_env)
    try:
        term.wait_for("#2 Fix the footer")
        assert run_tpm("edit", "2", "--title", "Renamed", db_path=db).returncode == 0
        started = time.monotonic()
        term.wait_for("#2 Renamed", timeout=3)
        assert time.monotonic() - started < 3
        term.keys("j", "j", "K")  # raise #3 above #2
        deadline = time.monotonic() + 5
        listed: list[int] = []
        while time.monotonic() < deadline:
            listed = [
                item["id"]
                for item in json.loads(run_tpm("list", "--format", "json", db_path=db).stdout)
            ]
            if listed == [1, 3, 2]:
                break
            time.sleep(0.1)
        assert listed == [1, 3, 2]
        screen = term.screen()
        width = 120 // 5  # five columns share the width
        assert _board_order(screen, 0, width) == listed, screen
        term.keys("q")
        term.wait_for("TPM-EXITED 0")
    finally:
        term.close()
