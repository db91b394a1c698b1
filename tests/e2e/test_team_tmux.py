"""Two people, two real `tpm` boards in tmux on one PostgreSQL database: `L` in the
first moves the card, and the second board shows it moved within 2 s (the server's
NOTIFY, no key pressed there). Reads only the screens (week_in_tmux's helpers)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import pytest

from tests.conftest import NOW, Seeded
from tests.e2e.week_in_tmux import BoardShot, Disagreement, Terminal, parse_board
from tpm_tui.config import Location
from tpm_tui.services import backlog

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

OUTSIDE_CHANGE = 2.0  # seconds a colleague's move may take to show (README)
SIZE = (120, 40)
STARTUP = 90.0  # seconds each board may take to open


@pytest.fixture
def engine() -> str:
    """A team database."""
    return "postgresql"


@pytest.fixture
def terminals(workspace_location: Location) -> Iterator[list[Terminal]]:
    """Two tmux servers of their own, one person's tpm in each (ana, bo)."""
    opened: list[Terminal] = []
    base = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    try:
        for person in ("ana", "bo"):
            env = {**base, "TPM_DB": workspace_location.url, "TPM_USER": person}
            env |= {"TZ": "Europe/Berlin", "TEXTUAL_ANIMATIONS": "none"}
            terminal = Terminal(SIZE, env)
            terminal.server = f"team-{os.getpid()}-{person}"
            terminal.open([], NOW)
            opened.append(terminal)
        yield opened
    finally:
        for terminal in opened:
            terminal.close()


def _board(terminal: Terminal, names: dict[str, str]) -> BoardShot:
    _text, cells = terminal.styled()
    # The pane's real width (under a heavy load one once came up at tmux's 80x24).
    width = int(terminal._tmux("display-message", "-p", "-t", "week", "#{pane_width}"))
    return parse_board(cells, names, width)


def _shows(terminal: Terminal, names: dict[str, str], column: str, item: int) -> bool:
    try:
        found = _board(terminal, names).column(column)
    except (ValueError, IndexError):  # a screen caught mid-paint
        return False
    return found is not None and any(card.id == item for card in found.cards)


def test_a_move_in_one_terminal_shows_in_the_other_within_two_seconds(
    seeded: Seeded, terminals: list[Terminal]
) -> None:
    names = {c.key: c.name for c in backlog.list_columns(seeded.db)}
    ana, bo = terminals
    database = seeded.db.location.url.split("?")[0].rsplit("/", 1)[-1]
    try:  # two cold starts on a loaded machine can take long: only the move is timed
        ana.wait_for(f"team · local/{database} · as ana", timeout=STARTUP)
        bo.wait_for(f"team · local/{database} · as bo", timeout=STARTUP)
        for terminal in terminals:
            terminal.wait_for(lambda screen: f"#{seeded.story} " in screen, timeout=STARTUP)
    except Disagreement as failure:
        pytest.fail(failure.report())
    assert _shows(bo, names, "backlog", seeded.story)
    ana.press("L")  # the cursor starts on the first backlog card: the story
    deadline = time.monotonic() + 10
    while not _shows(ana, names, "todo", seeded.story):
        assert time.monotonic() < deadline, ana.screen()
        time.sleep(0.05)
    moved_at = time.monotonic()  # on ana's screen: saved
    assert backlog.get_item(seeded.db, seeded.story).status == "todo"
    while not _shows(bo, names, "todo", seeded.story):
        assert time.monotonic() - moved_at < OUTSIDE_CHANGE, bo.screen()
        time.sleep(0.05)
    assert not _shows(bo, names, "backlog", seeded.story)
