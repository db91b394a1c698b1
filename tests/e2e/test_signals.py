"""The real `tpm` in a pseudo-terminal, ended by a signal: TERM and HUP leave the
terminal as `q` does (modes restored, `stty -a` unchanged) and keep the data; a
terminal that went away ends the app; `tpm demo` takes its throwaway folder with it."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import NOW, run_tpm

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("stty") is None, reason="stty is not installed"),
]

# What a terminal needs back when a full-screen app leaves: the main screen, no mouse
# reports, a visible cursor.
RESETS = (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?25h")


class Pty:
    """`python -m tpm_tui ARGS` on its own pseudo-terminal (120x40), its output read."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.name = os.ttyname(self.slave)
        self.before = self.stty()
        self.output = bytearray()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", *args],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            env=env,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def stty(self) -> str:
        """`stty -a` of the terminal."""
        return subprocess.run(
            ["stty", "-a", "-F", self.name], capture_output=True, text=True, check=True
        ).stdout

    def wait_for(self, text: bytes, timeout: float = 30.0) -> None:
        """Poll the output for `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the output ended {self.output[-500:]!r}")

    def exit_code(self, timeout: float = 15.0) -> int:
        """Wait for the program to end."""
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Kill what is left and close the terminal."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {
        "TPM_DB": str(tmp_path / "tpm.db"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "TEXTUAL_ANIMATIONS": "none",
        "TPM_NOW": NOW.isoformat(),
        "TZ": "Europe/Berlin",
    }


def _wait_for_status(db: Path, status: str, timeout: float = 15.0) -> None:
    """Poll the database until item 1 is in `status`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = sqlite3.connect(db)
        try:
            if conn.execute("SELECT status FROM work_item WHERE id = 1").fetchone() == (status,):
                return
        finally:
            conn.close()
        time.sleep(0.05)
    raise AssertionError(f"item 1 never reached {status}")


@dataclass
class Ending:
    """How a run ended: its exit code, `stty -a` before and after, what it wrote."""

    code: int
    before: str
    after: str
    tail: bytes  # written from the moment it was asked to end
    output: bytes


def _end(env: dict[str, str], how: str) -> Ending:
    """Open the board, move the card to To Do, then end the app `how` (q or a signal)."""
    term = Pty([], env)
    try:
        term.wait_for(b"Export invoices")
        assert term.stty() != term.before  # raw mode while the app runs: the check can fail
        os.write(term.master, b"L")
        _wait_for_status(Path(env["TPM_DB"]), "todo")
        mark = len(term.output)
        if how == "q":
            os.write(term.master, b"q")
        else:
            term.proc.send_signal(getattr(signal, how))
        code = term.exit_code()
        time.sleep(0.2)  # the last bytes through the reader
        output = bytes(term.output)
        return Ending(code, term.before, term.stty(), output[mark:], output)
    finally:
        term.close()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_a_signal_restores_the_terminal_like_q_and_keeps_the_data(
    env: dict[str, str], how: str
) -> None:
    db = Path(env["TPM_DB"])
    assert run_tpm("add", "story", "Export invoices", db_path=db).returncode == 0
    quit = _end(env, "q")
    assert quit.code == 0 and quit.after == quit.before
    assert all(reset in quit.tail for reset in RESETS)
    assert run_tpm("move", "1", "backlog", db_path=db).returncode == 0
    ended = _end(env, how)
    assert ended.after == ended.before  # stty -a: raw mode and echo as they were
    assert all(reset in ended.tail for reset in RESETS), ended.tail[-300:]
    assert b"Traceback" not in ended.output
    listed = run_tpm("list", "--format", "json", db_path=db)
    assert '"status": "todo"' in listed.stdout  # the move made before the signal is kept


ALT_SCREEN_ON = b"\x1b[?1049h"


@pytest.mark.parametrize(
    ("how", "mode"),
    [
        ("SIGTERM", "board"),
        ("SIGHUP", "time"),
        ("SIGTERM", "week"),
        ("SIGHUP", "roadmap"),
        ("SIGTERM", "sprint"),
        ("SIGHUP", "goals"),
    ],
)
def test_a_signal_during_start_up_restores_the_terminal(
    env: dict[str, str], how: str, mode: str
) -> None:
    """The signal comes the moment the alternate screen is on, before the screen has
    its data: the app still ends as `q` does."""
    db = Path(env["TPM_DB"])
    assert run_tpm("add", "story", "Export invoices", db_path=db).returncode == 0
    term = Pty([mode], env)
    try:
        deadline = time.monotonic() + 30
        while ALT_SCREEN_ON not in term.output:  # polled tightly: the window is short
            assert time.monotonic() < deadline, bytes(term.output[-500:])
            time.sleep(0.001)
        mark = term.output.index(ALT_SCREEN_ON)
        term.proc.send_signal(getattr(signal, how))
        code = term.exit_code()
        time.sleep(0.2)  # the last bytes through the reader
        output = bytes(term.output)
        after = term.stty()
    finally:
        term.close()
    assert code == 0, code  # ended as `q` ends it, not killed by the signal
    assert after == term.before  # stty -a: raw mode and echo as they were
    tail = output[mark:]
    assert all(reset in tail for reset in RESETS), tail[-300:]
    assert b"Traceback" not in output
    listed = run_tpm("list", "--format", "json", db_path=db)
    assert listed.returncode == 0 and "Export invoices" in listed.stdout


def test_demo_removes_its_folder_when_the_board_closes(env: dict[str, str]) -> None:
    term = Pty(["demo"], env)
    try:
        term.wait_for(b"Backlog")
        found = re.search(rb"demo workspace: (\S+)", bytes(term.output))
        assert found is not None
        folder = Path(found.group(1).decode()).parent
        assert folder.is_dir()
        os.write(term.master, b"q")
        assert term.exit_code() == 0
        time.sleep(0.2)
        assert not folder.exists()
        assert b"removed the demo workspace" in term.output
    finally:
        term.close()
    kept = run_tpm("demo", "--no-open")
    path = Path(kept.stdout.splitlines()[0].removeprefix("demo workspace: "))
    assert path.exists() and f"stays in {path.parent}" in kept.stdout
    shutil.rmtree(path.parent)


def test_a_terminal_that_went_away_ends_the_app(env: dict[str, str]) -> None:
    """The terminal closes under the app (its window shut, the ssh link cut): writes to
    it fail from then on, and SIGHUP follows. The app ends and frees what it holds;
    before, Textual's output thread ended at the first failed write, the writes after
    it filled its queue, and the app's last write waited for it forever (an orphan
    process)."""
    db = Path(env["TPM_DB"])
    assert run_tpm("add", "story", "Export invoices", db_path=db).returncode == 0
    term = Pty([], env)
    try:
        term.wait_for(b"Export invoices")
        os.close(term.master)  # the terminal is gone: the app's writes now fail
        term.master = os.open(os.devnull, os.O_RDWR)  # (for close() to close)
        time.sleep(1.5)  # the app goes on drawing (its clock) into the closed terminal
        term.proc.send_signal(signal.SIGHUP)
        try:
            term.exit_code(timeout=20)  # (any code: Python's own last flush fails too)
        except subprocess.TimeoutExpired:
            pytest.fail("the app never ended after its terminal went away")
    finally:
        term.close()
