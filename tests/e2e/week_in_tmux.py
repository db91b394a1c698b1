#!/usr/bin/env python3
"""A TPM's week in tmux: the real `tpm` on a seeded workspace, Monday to Friday, and
after every step what the screen shows compared with what the database holds.

    python tests/e2e/week_in_tmux.py [--size 120x40] [--keep DIR]

Each morning the TUI is opened again with that day's frozen clock (TPM_NOW); the
commands of the "second shell" run with the same clock. After every key or command the
captured screen is read (board columns and cards, the time screen's entries, the week
screen's shares, the roadmap's rows, the timer badge) and compared with `tpm list
--format json`, `tpm report --format json`, `tpm export` and `tpm roadmap --format md`.
The first disagreement ends the run (exit 1) with both views printed. It only reads
what a person would see: the script imports nothing of tpm and polls the screen
instead of sleeping.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = "Europe/Berlin"
TZ = ZoneInfo(ZONE)
MONDAY = date(2026, 11, 23)  # ISO week 2026-W48
LOCAL_CHANGE = 3.0  # seconds a key's change may take to be on screen and in the database
OUTSIDE_CHANGE = 2.0  # seconds the board may take to follow another terminal (README)
DATABASE_EVERY = 1.0  # seconds between readings of the database while a comparison polls
TIMER_CHANGE = 6.0  # seconds every screen may take to show a timer started elsewhere
KINDS = {"STORY": "story", "BUG": "bug", "DEBT": "debt", "FEAT": "feature", "EPIC": "epic"}
LEAF_KINDS = ("story", "bug", "debt")
CATEGORIES = ("meetings", "tooling", "deliverables")
SCROLLBAR = set("▁▂▃▄▅▆▇█▔▕▏▎▍▌▋▊▉")

# Disagreements already reported, by a part of the step's label: the run says so and
# goes on (exit 0), and fails when one no longer happens (so the entry goes with the
# fix). `--strict` treats them as any other disagreement.
KNOWN: dict[str, str] = {}

Json = dict[str, Any]


class Disagreement(Exception):
    """The screen and the database (or what a step expected) disagree."""

    def __init__(self, step: str, problems: Sequence[str], screen: str, database: str) -> None:
        super().__init__(f"{step}: {'; '.join(problems)}")
        self.step = step
        self.problems = list(problems)
        self.screen = screen
        self.database = database

    def report(self) -> str:
        """Both views, for the person reading the failure."""
        lines = [f"DISAGREEMENT at step: {self.step}"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines += ["", "---- the screen ----", self.screen.rstrip("\n"), ""]
        lines += ["---- the database ----", self.database.rstrip("\n")]
        return "\n".join(lines)


# ---------------------------------------------------------------- small readings


def minutes_of(text: str) -> int | None:
    """`1h05m` → 65, `45m` → 45, `2h` → 2h; None for `·`, `–` or anything else."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?", text.strip())
    if not match or not text.strip():
        return None
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def entry_minutes(started: datetime, ended: datetime) -> int:
    """An entry's whole minutes, half a minute rounding up (as `tpm status` says them)."""
    return (int((ended - started).total_seconds()) + 30) // 60


def squash(text: str) -> str:
    """Text without whitespace: a wrapped title may lose or gain a space at its break."""
    return re.sub(r"\s+", "", text)


def shows(shown: str, full: str, continued: bool = False) -> bool:
    """Whether `shown` is how `full` may appear: whole, or cut with `…` (then a strict
    prefix), or, when more lines may follow off screen (`continued`), any prefix."""
    seen, whole = squash(shown), squash(full)
    if seen.endswith("…"):
        return whole.startswith(seen[:-1]) and len(whole) > len(seen) - 1
    return whole.startswith(seen) if continued else seen == whole


def in_order(parts: Sequence[str], whole: str) -> bool:
    """Whether `parts` are found in `whole` one after the other (the starts of lines
    whose ends a notification hides)."""
    at = 0
    for part in parts:
        found = whole.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def parse_utc(text: str) -> datetime:
    """A stored UTC moment (`2026-11-23T09:00:20Z`) in local time."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(TZ)


# ---------------------------------------------------------------- the terminal


@dataclass
class Cell:
    """One character cell of the screen: its character and how it looks."""

    char: str
    look: tuple[str, ...]


def styled_lines(raw: str) -> list[list[Cell]]:
    """`tmux capture-pane -e` output as cells: each with its background (and reverse
    video), which is how the board marks the cursor and the current column."""
    lines: list[list[Cell]] = []
    fg, bg, reverse = "", "", False  # tmux carries the style over from line to line
    for line in raw.split("\n"):
        cells: list[Cell] = []
        for token in re.split(r"(\x1b\[[0-9;]*m)", line):
            if token.startswith("\x1b["):
                codes = token[2:-1].split(";") if token[2:-1] else ["0"]
                i = 0
                while i < len(codes):
                    code = codes[i]
                    if code in ("0", ""):
                        fg, bg, reverse = "", "", False
                    elif code == "7":
                        reverse = True
                    elif code == "27":
                        reverse = False
                    elif code == "39":
                        fg = ""
                    elif code == "49":
                        bg = ""
                    elif code in ("38", "48"):
                        width = 3 if codes[i + 1 : i + 2] == ["5"] else 5
                        value = ";".join(codes[i : i + width])
                        fg, bg = (value, bg) if code == "38" else (fg, value)
                        i += width - 1
                    elif len(code) == 2 and code[0] in "34" and code[1] != "9":
                        fg, bg = (code, bg) if code[0] == "3" else (fg, code)
                    i += 1
                continue
            for char in token:
                look = ("rev", fg) if reverse else ("bg", bg)
                cells.append(Cell(char, look))
                if unicodedata.east_asian_width(char) in ("W", "F"):
                    cells.append(Cell("", look))
        lines.append(cells)
    return lines


class Terminal:
    """A tmux server of its own (`week-<pid>`) running one tpm at a time."""

    def __init__(self, size: tuple[int, int], env: dict[str, str]) -> None:
        self.size = size
        self.env = env
        self.server = f"week-{os.getpid()}"
        self.open_now = False
        self.socket = ""

    def _tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.server, *args], capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def open(self, args: Sequence[str], now: datetime) -> None:
        """Start `tpm ARGS` with the clock frozen at `now` (closing any earlier one)."""
        self.close()
        env = {**self.env, "TPM_NOW": now.isoformat()}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "tpm_tui", *args])
        width, height = self.size
        self._tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "week",
            "-x",
            str(width),
            "-y",
            str(height),
            f"env -u COLUMNS -u LINES {exports} {command}; echo TPM-EXITED $?; sleep 600",
        )
        self.open_now = True
        self.socket = self._tmux("display-message", "-p", "#{socket_path}").strip()

    def close(self) -> None:
        """End the tmux server (and what runs in it)."""
        if self.open_now:
            self._tmux("kill-server", check=False)
            self.open_now = False
            # A new server started while the old one still winds down exits at once.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done = subprocess.run(
                    ["tmux", "-L", self.server, "list-sessions"], capture_output=True, check=False
                )
                if done.returncode != 0:
                    break
                time.sleep(0.05)
            time.sleep(0.2)
            if self.socket:  # tmux leaves its socket file behind
                Path(self.socket).unlink(missing_ok=True)

    def screen(self) -> str:
        """The visible text."""
        return self._tmux("capture-pane", "-p", "-t", "week")

    def styled(self) -> tuple[str, list[list[Cell]]]:
        """The visible text and its cells with their looks, from one capture."""
        cells = styled_lines(self._tmux("capture-pane", "-p", "-e", "-t", "week"))
        text = "\n".join("".join(c.char for c in line).rstrip() for line in cells)
        return text, cells

    def press(self, *keys: str) -> None:
        """Press keys (tmux key names: `L`, `Enter`, `C-s`, `Escape`)."""
        for key in keys:
            self._tmux("send-keys", "-t", "week", key)
            if key == "Escape":
                time.sleep(0.15)  # an escape followed at once by a key reads as alt+key

    def type(self, text: str) -> None:
        """Type text literally."""
        self._tmux("send-keys", "-t", "week", "-l", text)

    def wait_for_cells(
        self, test: Callable[[list[list[Cell]]], bool], timeout: float = 15.0
    ) -> None:
        """Poll the styled screen until `test` holds."""
        deadline = time.monotonic() + timeout
        while True:
            screen, cells = self.styled()
            if test(cells):
                return
            if time.monotonic() > deadline:
                raise Disagreement("waiting for the screen", ["it never came"], screen, "")
            time.sleep(0.05)

    def wait_for(self, wanted: str | Callable[[str], bool], timeout: float = 15.0) -> str:
        """Poll the screen until it shows `wanted` (text, or a test of the screen)."""
        test = (lambda s: wanted in s) if isinstance(wanted, str) else wanted
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                what = wanted if isinstance(wanted, str) else "the expected screen"
                raise Disagreement(f"waiting for {what!r}", ["it never appeared"], screen, "")
            time.sleep(0.05)


PLACEHOLDERS = ("type part of", "YYYY-MM-DD")  # what an empty form field shows
FIELD_ROW = re.compile(r"█\s+([A-Z][a-z]+)\s{2,}([^█]*?)\s*(?:█|$)")


def field_value(screen: str, label: str) -> str:
    """What a form's field labelled `label` shows (its placeholder when empty)."""
    for line in screen.split("\n"):
        found = FIELD_ROW.search(line)
        if found and found.group(1) == label:
            return found.group(2)
    return "(no such field)"


def focused_field(cells: list[list[Cell]]) -> str | None:
    """The label of the form field with the focus: its text area looks unlike its
    label (the focused input has a background of its own)."""
    rows = []
    for number, line in enumerate(cells):
        text = "".join(c.char for c in line)
        found = FIELD_ROW.search(text)
        if found:
            rows.append((number, found.group(1), found.start(1), found))
    valued = [f.start(2) for _n, _l, _x, f in rows if f.group(2)]
    if not valued:
        return None
    value_x = min(valued)
    label_x = Counter(x for _n, _l, x, _f in rows).most_common(1)[0][0]  # not a button's
    marked = [
        label
        for number, label, x, _f in rows
        if x == label_x
        and value_x < len(cells[number])
        and cells[number][value_x].char not in "▊▔▁▎"  # a text area's frame, not a field
        and cells[number][value_x].look != cells[number][x].look
    ]
    return marked[0] if len(marked) == 1 else None


# ---------------------------------------------------------------- the second shell


class Shell:
    """The other terminal: the `tpm` command line on the same workspace and clock."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.now = datetime.combine(MONDAY, datetime.min.time(), TZ)
        self.calls = 0
        self.cache: dict[tuple[str, ...], str] = {}  # reads since the last `forget`

    def forget(self) -> None:
        """The database may have changed: read it afresh."""
        self.cache.clear()

    def read(self, *args: str) -> str:
        """A reading command's output, asked once until the next `forget` (a comparison
        polls the screen often and the database about once a second)."""
        if args not in self.cache:
            self.cache[args] = self._call(*args)
        return self.cache[args]

    def run(self, *args: str, check: bool = True) -> str:
        """`tpm ARGS`, which may change the database; its standard output (a failure
        stops the week)."""
        self.forget()
        return self._call(*args, check=check)

    def _call(self, *args: str, check: bool = True) -> str:
        return self._finish(args, self._start(args), check)

    def _start(self, args: Sequence[str]) -> subprocess.Popen[str]:
        self.calls += 1
        return subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_clean_environ(), **self.env, "TPM_NOW": self.now.isoformat()},
        )

    @staticmethod
    def _finish(args: Sequence[str], process: subprocess.Popen[str], check: bool = True) -> str:
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        if check and process.returncode != 0:
            raise RuntimeError(f"tpm {' '.join(args)} exited {process.returncode}: {err}")
        return out

    def prefetch(self, *commands: tuple[str, ...]) -> None:
        """Run the reading commands not read yet side by side (each starts Python)."""
        started = {c: self._start(c) for c in dict.fromkeys(commands) if c not in self.cache}
        for command, process in started.items():
            self.cache[command] = self._finish(command, process)

    def items(self, *extra: str) -> list[Json]:
        """`tpm list --format json`."""
        rows: list[Json] = json.loads(self.read("list", "--format", "json", *extra))
        return rows

    def report(self, week: str | None = None) -> Json:
        """`tpm report --format json` (this week, or `week`)."""
        result: Json = json.loads(self.read(*_report_json(week)))
        return result

    def export(self) -> Json:
        """`tpm export`."""
        result: Json = json.loads(self.read("export"))
        return result


# ---------------------------------------------------------------- the board


@dataclass
class CardShot:
    """A card as the screen shows it."""

    id: int
    title_lines: list[str]
    details: str | None = None  # None: cut off at the bottom of the screen
    look: tuple[str, ...] = ()
    top: int = 0  # the screen line of its first line
    covered: bool = False  # a notification hides the right part of some of its lines

    @property
    def title(self) -> str:
        """The title lines as one text (without the `#id`)."""
        return " ".join(self.title_lines).strip()


@dataclass
class ColumnShot:
    """A board column as the screen shows it."""

    key: str  # the column it is (found by its name, in board order)
    header: str  # its header as shown: `Review  2/3 WIP`
    count: int | None
    limit: int | None
    cards: list[CardShot]
    look: tuple[str, ...]
    spare_lines: int  # lines left empty under its last card (cut at a notification)


@dataclass
class BoardShot:
    """The board as the screen shows it."""

    status: str
    columns: list[ColumnShot]
    pane: list[str]  # the detail pane's lines (empty when it is closed)
    toasts: str  # the notifications' text

    def column(self, key: str) -> ColumnShot | None:
        """A column by its key, if it is on screen."""
        return next((c for c in self.columns if c.key == key), None)

    def current(self) -> ColumnShot:
        """The column the keys act on: its header looks unlike the others."""
        if len(self.columns) == 1:
            return self.columns[0]
        # Every column marks its own cursor card; the current column's mark is unlike the
        # others' (its header too, but a column over its WIP limit has a header of its own).
        looks = Counter(card.look for c in self.columns for card in c.cards)
        plain = looks.most_common(1)[0][0] if looks else ()
        marks = {c.key: {card.look for card in c.cards if card.look != plain} for c in self.columns}
        seen = Counter(look for found in marks.values() for look in found)
        unique = [c for c in self.columns if any(seen[look] == 1 for look in marks[c.key])]
        if len(unique) == 1 and sum(1 for found in marks.values() if found) > 2:
            return unique[0]
        common = Counter(c.look for c in self.columns).most_common(1)[0][0]
        odd = [c for c in self.columns if c.look != common]
        if len(odd) != 1:
            raise ValueError("cannot tell which column is the current one")
        return odd[0]

    def cursor(self) -> CardShot | None:
        """The card under the cursor in the current column: it looks unlike the cards
        that are under no cursor (most cards). None for an empty column."""
        column = self.current()
        looks = Counter(card.look for c in self.columns for card in c.cards)
        plain = looks.most_common(1)[0][0] if looks else ()
        marked = [card for card in column.cards if card.look != plain]
        if not marked and len(column.cards) == 1 and sum(looks.values()) == 1:
            return column.cards[0]
        return marked[0] if len(marked) == 1 else None


DETAILS = re.compile(r"(STORY|BUG|DEBT|FEAT|EPIC)(?: · | |$)")


def _toasts(text: list[str], first: int, last: int) -> tuple[int, int, str]:
    """Notifications drawn over the bottom right (a `▌` down their left side): the
    first line and column they cover, and their text."""
    rows = [row for row in range(first, last) if "▌" in text[row]]
    if not rows:
        return last, len(max(text, key=len)) + 1, ""
    x = min(text[row].index("▌") for row in rows)
    words = " ".join(text[row][x + 1 :].strip() for row in range(rows[0], rows[-1] + 1))
    return rows[0], x, re.sub(r"[▌\s]+", " ", words).strip()


def parse_board(cells: list[list[Cell]], names: dict[str, str], width: int) -> BoardShot:
    """Read the board from a styled capture: each column's header and cards (two-line or
    one-line titles, titles cut with …, a card cut at the bottom), the current column,
    the cursor, the detail pane when it is open. `names`: column key → name; `width`:
    the terminal's (tmux leaves out the blanks at the end of a line)."""
    text = ["".join(c.char for c in line) for line in cells]
    header_row, starts = -1, []
    for row in range(2, min(len(text), 8)):
        found, position = [], 0
        for key, name in names.items():
            index = text[row].find(" " + name[:3], position)
            if index >= 0:
                found.append((key, index))
                position = index + 1
        if found:
            header_row, starts = row, found
            break
    if header_row < 0:
        raise ValueError("no column headers on the screen")
    bottom = len(text) - 1  # the key bar
    while bottom > header_row and not text[bottom].strip():
        bottom -= 1
    if text[bottom - 1][:1].strip():
        bottom -= 1  # the filter's line (the columns' lines start with a blank)
    toast_row, toast_x, toasts = _toasts(text, header_row + 1, bottom)
    line_end = width
    border = [x for x, c in enumerate(cells[header_row]) if c.char == "▏" and x > starts[0][1]]
    pane_x = border[0] if border else line_end  # the detail pane's left edge
    columns = []
    for number, (key, x) in enumerate(starts):
        end = starts[number + 1][1] if number + 1 < len(starts) else pane_x
        head = text[header_row][x + 1 : end].rstrip()
        match = re.fullmatch(r".*?\s+(?P<count>\d+)(?:/(?P<limit>\d+))?(?: WIP(?: over!)?)?", head)
        # A notification covers the right part of the columns under its top: what is
        # left of it is read too (as a start of the text), when it shows a card's id.
        under = end > toast_x
        column_bottom = toast_row if under and toast_x <= x + 4 else bottom
        cards: list[CardShot] = []
        last_line = header_row
        card: CardShot | None = None
        for row in range(header_row + 1, column_bottom):
            line = cells[row]
            covered = under and row >= toast_row
            raw = "".join(c.char for c in line[x + 1 : toast_x if covered else end]).rstrip()
            if raw[-1:] in SCROLLBAR and (len(raw) >= end - x - 1 or raw[-2:-1] == " "):
                # The column's scrollbar: at the column's right edge, or after a blank
                # (the last column of a board drawn narrower than its pane).
                raw = raw[:-1].rstrip()
            if card is None or card.details is not None:
                if not raw:
                    continue
                first = re.fullmatch(r"#(\d+)(?: (.*))?", raw)
                if covered and (first is None or " " not in raw):
                    column_bottom = row  # the id itself is cut: the column ends here
                    break
                if first is None:
                    raise ValueError(f"column {key}, line {row}: not a card's first line: {raw!r}")
                look = line[x].look if x < len(line) else ()
                card = CardShot(int(first.group(1)), [first.group(2) or ""], None, look, row)
                cards.append(card)
            elif DETAILS.match(raw):
                card.details = raw
                card.covered = card.covered or covered
            elif raw and len(card.title_lines) < 2:
                card.title_lines.append(raw)
            else:
                raise ValueError(
                    f"column {key}, line {row}: card #{card.id} lacks details: {raw!r}"
                )
            if covered and card is not None:
                card.covered = True
            last_line = row
        columns.append(
            ColumnShot(
                key,
                head,
                int(match.group("count")) if match else None,
                int(match.group("limit")) if match and match.group("limit") else None,
                cards,
                cells[header_row][x].look if x < len(cells[header_row]) else (),
                0 if under else column_bottom - 1 - last_line,
            )
        )
    pane = []
    if pane_x < line_end:
        pane = [
            "".join(c.char for c in line[pane_x + 1 :]).strip() for line in cells[header_row:bottom]
        ]
    return BoardShot(text[1].strip(), columns, pane, toasts)


@dataclass
class Truth:
    """What the database holds, as the command line prints it."""

    columns: list[Json]  # `tpm export`'s board columns, in board order
    sprints: list[Json]
    items: list[Json]  # `tpm list --all --format json`
    level: str = "work"
    keep: Callable[[Json], bool] = field(default=lambda _item: True)
    filter_text: str = ""

    @property
    def by_id(self) -> dict[int, Json]:
        """Every item by id."""
        return {item["id"]: item for item in self.items}

    def board(self) -> dict[str, list[Json]]:
        """Column key → the cards the board should hold there, in order."""
        kinds = {"work": LEAF_KINDS, "features": ("feature",), "epics": ("epic",)}[self.level]
        cards: dict[str, list[Json]] = {c["key"]: [] for c in self.columns}
        for item in self.items:
            if not item["archived"] and item["kind"] in kinds and self.keep(item):
                cards[item["status"]].append(item)
        return cards

    def at_level(self) -> int:
        """Cards at the level without the filter."""
        kinds = {"work": LEAF_KINDS, "features": ("feature",), "epics": ("epic",)}[self.level]
        return sum(1 for i in self.items if not i["archived"] and i["kind"] in kinds)

    def card(self, item: Json, compact: bool) -> tuple[str, str]:
        """A card's title line(s) and details line, whole, as the board should write them."""
        tag = next(t for t, k in KINDS.items() if k == item["kind"])
        parts = []
        if item["kind"] in LEAF_KINDS:
            number = "?" if item["points"] is None else str(item["points"])
            if compact:
                parts.append(f"{number}p")
            else:
                parts.append(f"{number} pt" if item["points"] == 1 else f"{number} pts")
        else:
            under = [
                i
                for i in self.items
                if not i["archived"]
                and i["kind"] in LEAF_KINDS
                and item["id"] in (i["parent_id"], i["epic_id"])
            ]
            if not under:
                parts.append("empty" if compact else "no items yet")
            elif compact:
                parts.append(f"{item['done_percent']}%")
            else:
                parts.append(f"{item['done_percent']}% of {item['rollup_points']} pts")
        if item["owner"]:
            parts.append(f"@{item['owner']}")
        epic = self.by_id.get(item["epic_id"]) if item["epic_id"] is not None else None
        if epic is not None:
            parts.append(epic["title"])
        separator = " " if compact else " · "
        return f"#{item['id']} {item['title']}", tag + separator + separator.join(parts)

    def status_line(self, today: date) -> str:
        """The board's line under the title."""
        done_keys = {c["key"] for c in self.columns if c["is_done"]}
        sprint = next(
            (
                s
                for s in self.sprints
                if date.fromisoformat(s["start_date"]) <= today <= date.fromisoformat(s["end_date"])
            ),
            None,
        )
        parts = []
        if sprint is None:
            parts.append("no sprint running")
        else:
            mine = [
                i
                for i in self.items
                if i["sprint"] == sprint["name"] and not i["archived"] and i["kind"] in LEAF_KINDS
            ]
            committed = sum(i["points"] or 0 for i in mine)
            done = sum(i["points"] or 0 for i in mine if i["status"] in done_keys)
            left = max(0, (date.fromisoformat(sprint["end_date"]) - today).days + 1)
            parts.append(f"{sprint['name']} {done}/{committed} pts done · {left}d left")
        shown = [i for cards in self.board().values() for i in cards]
        total = sum(i["points"] or 0 for i in shown)
        debt = sum(i["points"] or 0 for i in shown if i["kind"] == "debt")
        line = " ".join(parts)
        if total:
            line += f" │ debt {round(100 * debt / total)}% of pts"
        line += f" │ {self.level}"
        if self.filter_text:
            line += (
                f" │ filter {self.filter_text} hides {self.at_level() - len(shown)} · esc clears"
            )
        return line

    def describe_board(self) -> str:
        """The board as the database has it, a column a line."""
        lines = []
        for column in self.columns:
            cards = self.board()[column["key"]]
            lines.append(
                f"{column['name']} ({len(cards)}): "
                + ", ".join(
                    f"#{i['id']} {i['title']!r} {i['points']}p @{i['owner']}" for i in cards
                )
            )
        return "\n".join(lines)


def split_badge(status: str) -> tuple[str, str]:
    """The status line without the timer badge at its right, and the badge."""
    match = re.search(r"\s*(no timer · s starts one|⏱ .*)$", status)
    if match is None:
        return status, ""
    return status[: match.start()].rstrip(), match.group(1).strip()


def board_problems(shot: BoardShot, truth: Truth, today: date) -> list[str]:
    """Where the screen's board differs from the database's: the columns, their counts
    and WIP limits, the visible part of each column in order, each card's id, title,
    kind, points, owner and epic, and the status line."""
    problems: list[str] = []
    expected = truth.board()
    by_id = truth.by_id
    names = {c["key"]: c for c in truth.columns}
    if not shot.pane and [c.key for c in shot.columns] != list(names):
        problems.append(
            f"columns on screen {[c.key for c in shot.columns]}, expected {list(names)}"
        )
    for column in shot.columns:
        info, cards = names[column.key], expected[column.key]
        want = [i["id"] for i in cards]
        shown = [c.id for c in column.cards]
        if column.count != len(cards):
            problems.append(
                f"{info['name']}: the header {column.header!r} counts {column.count}, "
                f"the database has {len(cards)}"
            )
        if column.limit is not None and column.limit != info["wip_limit"]:
            problems.append(f"{info['name']}: WIP limit {column.limit}, stored {info['wip_limit']}")
        over = info["wip_limit"] is not None and len(cards) > info["wip_limit"]
        if "WIP" in column.header and over != column.header.endswith("over!"):
            problems.append(f"{info['name']}: header {column.header!r} with {len(cards)} cards")
        if not shows(re.sub(r"\s+\d+(/\d+)?( WIP( over!)?)?$", "", column.header), info["name"]):
            problems.append(f"header {column.header!r} does not name {info['name']!r}")
        start = want.index(shown[0]) if shown and shown[0] in want else 0
        if want[start : start + len(shown)] != shown:
            problems.append(
                f"{info['name']}: the screen shows {_ids(shown)}, the database has {_ids(want)}"
            )
            continue
        height = 3 if any(len(c.title_lines) > 1 for c in column.cards) else 2
        if start + len(shown) < len(want) and column.spare_lines >= height:
            problems.append(
                f"{info['name']}: {column.spare_lines} empty lines under {_ids(shown)}, "
                f"but {_ids(want[start + len(shown) :])} follow in the database"
            )
        for card in column.cards:
            item = by_id[card.id]
            compact = card.details is not None and " · " not in card.details
            title, details = truth.card(item, compact)
            lines = " ".join(card.title_lines)
            if card.covered:
                readable = in_order(
                    [squash(t.rstrip("…")) for t in card.title_lines], squash(title)
                )
            else:
                readable = shows(f"#{card.id} {lines}", title, continued=card.details is None)
            if not readable:
                problems.append(
                    f"#{card.id}: the card reads {lines!r}, the title is {item['title']!r}"
                )
            if card.details is not None and not shows(card.details, details, card.covered):
                problems.append(f"#{card.id}: the card says {card.details!r}, stored: {details!r}")
    status, _badge = split_badge(shot.status)
    wanted = truth.status_line(today)
    if not shows(status, wanted):
        problems.append(f"status line {status!r}, from the database {wanted!r}")
    return problems


def _ids(ids: Sequence[int]) -> str:
    return " ".join(f"#{i}" for i in ids) or "no cards"


# ---------------------------------------------------------------- the timer badge


def badge_problems(status_line: str, short: str) -> list[str]:
    """The badge at the right of every screen's status line against `tpm status --short`:
    no timer, or the running timer's category, note (its first 30 characters) and time
    so far (whole minutes, half a minute rounding up, as `tpm status` says it)."""
    _rest, badge = split_badge(status_line)
    running = re.fullmatch(r"● (\w+) (\d+):(\d\d)(?: (.*))?", short)
    if running is None:
        return [] if badge.startswith("no timer") else [f"badge {badge!r}; {short!r}"]
    category, hours, minutes, note = running.groups()
    match = re.fullmatch(r"⏱ (\w+)(?: · (.*?))?\s+(\d+):(\d\d):(\d\d)(?:\s+S stops)?", badge)
    if match is None:
        return [f"badge {badge!r}, but `tpm status --short` says {short!r}"]
    problems = []
    seconds = int(match.group(3)) * 3600 + int(match.group(4)) * 60 + int(match.group(5))
    if match.group(1) != category:
        problems.append(f"badge says {match.group(1)}, `tpm status --short` {category}")
    if (match.group(2) or "") != (note or "")[:30]:
        problems.append(f"badge note {match.group(2)!r}, `tpm status --short` {note!r}")
    if (seconds + 30) // 60 != int(hours) * 60 + int(minutes):
        problems.append(f"badge shows {badge!r}, `tpm status --short` {short!r}")
    return problems


# ---------------------------------------------------------------- the time screen


@dataclass
class EntryShot:
    """A row of the time screen."""

    start: str
    end: str
    time: str
    category: str
    note: str
    item: str
    overlaps: bool


def without_toasts(screen: str) -> tuple[list[str], bool]:
    """The screen's lines with the notifications at the bottom right cut away, and
    whether any text was under them."""
    lines = screen.rstrip("\n").split("\n")
    bottom = len(lines) - 1  # the key bar
    top, x, _words = _toasts(lines, 2, bottom)
    hidden = False
    for row in range(top, bottom):
        hidden = hidden or bool(lines[row][x:].replace("▌", "").strip())
        lines[row] = lines[row][:x].rstrip()
    return lines[:bottom], hidden


def parse_time_screen(screen: str) -> tuple[str, list[EntryShot], str, bool]:
    """The day's heading, its rows, the totals under the table, and whether a
    notification hides part of them."""
    lines, hidden = without_toasts(screen)
    head = next(i for i, line in enumerate(lines) if re.match(r"\s*start\s+end\s+time", line))
    header = lines[head]
    xs = [header.index(word) for word in ("start", " end ", "time", "category", "note")]
    xs[1] += 1
    item_x = header.find("item", xs[-1] + 4)
    rows = []
    row = head + 1
    while row < len(lines) and re.match(r"\s*\d\d:\d\d ", lines[row]):
        line = lines[row]
        start, end, spent, category = (line[a:b].strip() for a, b in pairwise(xs))
        note = line[xs[4] : item_x if item_x > 0 else None].strip()
        item = line[item_x:].strip() if item_x > 0 else ""
        flagged = "⚠" in note + item
        note, item = note.split("⚠")[0].strip(), item.split("⚠")[0].strip()
        rows.append(EntryShot(start, end, spent, category, note, item, flagged))
        row += 1
    rest = " ".join(line.strip() for line in lines[row:] if line.strip())
    return lines[1].strip(), rows, rest, hidden


def time_problems(
    screen: str, day: date, entries: list[Json], report: Json, titles: dict[int, str], now: datetime
) -> list[str]:
    """The time screen against the stored entries of `day` (start, end, time, category,
    note, item) and the day's totals against `tpm report --format json`."""
    heading, rows, totals, hidden = parse_time_screen(screen)
    problems = []
    if not heading.startswith(f"{day:%A %d %B %Y}"):
        problems.append(f"heading {heading[:40]!r}, expected {day:%A %d %B %Y}")
    mine = sorted(
        (e for e in entries if parse_utc(e["started_at"]).date() == day),
        key=lambda e: (e["started_at"], e["id"]),
    )
    if len(rows) != len(mine):
        problems.append(f"{len(rows)} rows on screen, {len(mine)} entries stored for {day}")
    for number, (row, entry) in enumerate(zip(rows, mine, strict=False), start=1):
        started = parse_utc(entry["started_at"])
        ended = parse_utc(entry["ended_at"]) if entry["ended_at"] else None
        item = (
            f"#{entry['item_id']} {titles.get(entry['item_id'], '?')}" if entry["item_id"] else ""
        )
        wanted = {
            "start": f"{started:%H:%M}",
            "end": "running" if ended is None else f"{ended:%H:%M}",
            "time": entry_minutes(started, ended or now),
            "category": entry["category"],
            "note": entry["note"],
            "item": item,
        }
        seen = {
            "start": row.start,
            "end": row.end,
            "time": minutes_of(row.time),
            "category": row.category,
            "note": row.note,
            "item": row.item,
        }
        for name, value in wanted.items():
            if seen[name] != value:
                problems.append(f"row {number} {name}: the screen {seen[name]!r}, stored {value!r}")
    day_row = next((d for d in report["days"] if d["date"] == day.isoformat()), None)
    if day_row is None:
        return [*problems, f"{day} is not in the report"]
    total = sum(day_row[c] for c in CATEGORIES)
    if not total:
        if "No time logged" not in totals:
            problems.append(f"totals {totals!r}, the report has no time on {day}")
        return problems
    said = re.search(r"Total (\S+)", totals)
    if said is None or minutes_of(said.group(1)) != total:
        problems.append(f"totals {totals!r}: the report says {total} minutes on {day}")
    for category in CATEGORIES:
        part = re.search(rf"{category} (\S+) \((\d+)%\)", totals)
        share = round(100 * day_row[category] / total)
        if part is None and hidden:
            continue  # under a notification
        if part is None or (minutes_of(part.group(1)), int(part.group(2))) != (
            day_row[category],
            share,
        ):
            problems.append(
                f"totals {totals!r}: the report has {category} {day_row[category]} min ({share}%)"
            )
    return problems


# ---------------------------------------------------------------- the week screen


def week_problems(screen: str, report: Json, markdown: str) -> list[str]:
    """The week screen against `tpm report --format json`: the headline's shares, each
    category's bar (share, time, verdict, band), the day × category table, the total
    against the target, and the items that took the most time (against `--format md`)."""
    problems = []
    lines, hidden = without_toasts(screen)  # a line a notification cuts is not read
    total = report["total_minutes"]
    heading = lines[1].strip()
    if not heading.startswith(f"Week {report['week']} "):
        problems.append(f"heading {heading[:40]!r}, the report is for {report['week']}")
    text = "\n".join(lines[2:])
    if total:
        headline = re.search(r"(\S+) logged\s+(.*)", text)
        if headline is None or minutes_of(headline.group(1)) != total:
            problems.append(f"headline does not say {total} minutes logged")
        else:
            for category in CATEGORIES:
                percent = report["categories"][category]["percent"]
                if f"{category} {percent:.0f} %" not in headline.group(2):
                    problems.append(f"headline {headline.group(2)!r}: {category} {percent:.0f} %")
    elif "No time logged this week" not in text:
        problems.append("the report has no time, the headline does not say so")
    for category in CATEGORIES:
        stored = report["categories"][category]
        bar = re.search(
            rf"^\s*{category}\s+[█░·]+\s+(\d+) %\s+(\S+)\s+(\w+) (\d+)–(\d+) %", text, re.M
        )
        words = stored["verdict"] if total else "typical"
        if bar is None:
            if not hidden:
                problems.append(f"no bar for {category}")
            continue
        seen = (int(bar.group(1)), minutes_of(bar.group(2)), bar.group(3))
        seen_band = [int(bar.group(4)), int(bar.group(5))]
        if (
            seen != (round(stored["percent"]), stored["minutes"], words)
            or seen_band != stored["band"]
        ):
            problems.append(
                f"{category} bar says {bar.group(0).strip()!r}; stored {stored['percent']} %, "
                f"{stored['minutes']} min, {words} {stored['band']}"
            )
    for day in report["days"]:
        moment = date.fromisoformat(day["date"])
        row = re.search(rf"^\s*{moment:%a %d %b}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", text, re.M)
        if row is None:
            if not hidden:
                problems.append(f"no row for {moment:%a %d %b}")
            continue
        seen_day = [minutes_of(v) or 0 for v in row.groups()]
        stored_day = [day[c] for c in CATEGORIES] + [sum(day[c] for c in CATEGORIES)]
        if seen_day != stored_day:
            problems.append(f"{moment:%a %d %b}: the screen {seen_day}, the report {stored_day}")
    row = re.search(r"^\s*total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", text, re.M)
    stored_total = [report["categories"][c]["minutes"] for c in CATEGORIES] + [total]
    if (row is None and not hidden) or (
        row is not None and [minutes_of(v) for v in row.groups()] != stored_total
    ):
        problems.append(f"the total row is not {stored_total}")
    target = re.search(r"target\s+[█·]+\s+(\d+) %\s+(\S+) of (\S+)", text)
    if (target is None and not hidden) or (
        target is not None and minutes_of(target.group(2)) != total
    ):
        problems.append(f"the target line does not say {total} minutes")
    listed = re.findall(r"^- #(\d+) (.*) \((\w+)\): (\S+)$", markdown, re.M)
    if "most time went to" in text:
        seen_items = re.findall(r"^\s+(\S+)\s+#(\d+) (.*?)\s{2}(\w+)\s*$", text, re.M)
        stored_items = [(minutes_of(m), int(i), t, k) for i, t, k, m in listed]
        mine = [(minutes_of(m), int(i), t, k) for m, i, t, k in seen_items]
        if mine != stored_items[: len(mine)] or (len(mine) < len(stored_items) and mine == []):
            problems.append(f"most time went to {mine}, the report lists {stored_items}")
    return problems


# ---------------------------------------------------------------- the roadmap

ZOOM_DAYS = {"weeks": 1, "months": 3, "quarters": 7}


@dataclass
class RoadmapRow:
    """A row of the roadmap chart as shown."""

    id: int
    kind: str
    title: str
    flagged: bool
    status: str  # `24% at risk`, or `no dates`
    bar: str  # the chart's cells of this row
    look: tuple[str, ...]


def parse_roadmap(cells: list[list[Cell]]) -> tuple[str, date, list[RoadmapRow], int]:
    """The zoom, the first day shown, the rows, and the first screen column of the chart."""
    text = ["".join(c.char for c in line) for line in cells]
    axis = re.search(r"(weeks|months|quarters): (\d\d \w{3} \d{4}) →", text[2])
    if axis is None:
        raise ValueError(f"no time axis on the roadmap: {text[2]!r}")
    origin = datetime.strptime(axis.group(2), "%d %b %Y").date()
    rows, label_w = [], None
    for line in text[4:]:
        match = re.match(r"\s*(?:[▾▸] )?(EPIC|FEAT) #(\d+) ", line)
        if match is None:
            break
        found = re.search(r"\s(\d+)% (on track|at risk|late|done)|\s{3}no dates", line)
        if found is None:
            raise ValueError(f"no status in the roadmap row {line!r}")
        label_w = found.start() + 1
        if found.group(1):
            label_w = found.end(1) + 1 - 5  # `{done:>4}%` starts the status column
        rows.append((line, int(match.group(2)), match.group(1)))
    if label_w is None:
        return axis.group(1), origin, [], 0
    chart_x = label_w + 15
    shots = []
    for number, (line, item_id, tag) in enumerate(rows):
        label = line[: label_w - 1]
        title = re.sub(r"^\s*(?:[▾▸] )?(EPIC|FEAT) #\d+ ", "", label).rstrip()
        look = cells[4 + number][label_w - 1].look
        shots.append(
            RoadmapRow(
                item_id,
                "epic" if tag == "EPIC" else "feature",
                title,
                line[label_w - 1] == "!",
                line[label_w:chart_x].strip(),
                line[chart_x:],
                look,
            )
        )
    return axis.group(1), origin, shots, chart_x


def markdown_rows(markdown: str) -> list[tuple[int, str, str, str, int, str]]:
    """`tpm roadmap --format md`: (id, kind, start, target, done %, status) per row."""
    rows = []
    for match in re.finditer(
        r"^\| (?:&nbsp;)*(epic|feature) #(\d+) .*? \| (\S*) \| (\S*) \| (\d+) % \| "
        r"(on track|at risk|late|done)(?: \(.*\))? \|$",
        markdown,
        re.M,
    ):
        kind, item_id, start, target, done, status = match.groups()
        rows.append((int(item_id), kind, start, target, int(done), status))
    return rows


def roadmap_problems(
    cells: list[list[Cell]], width: int, items: list[Json], markdown: str
) -> list[str]:
    """The roadmap's rows (order, titles, done %, status, and each bar's first and last
    day and its filled part) against `tpm list --format json` and `tpm roadmap --format md`."""
    zoom, origin, rows, chart_x = parse_roadmap(cells)
    problems = []
    by_id = {i["id"]: i for i in items}
    md = markdown_rows(markdown)
    scheduled = [r for r in md if r[2] and r[3]]
    if [r.id for r in rows][: len(scheduled)] != [r[0] for r in scheduled][: len(rows)]:
        problems.append(
            f"rows {_ids([r.id for r in rows])}, the roadmap's table {_ids([r[0] for r in md])}"
        )
    md_by_id = {r[0]: r for r in md}
    cells_across = width - chart_x
    days = ZOOM_DAYS[zoom]
    for row in rows:
        item = by_id.get(row.id)
        if item is None or item["archived"]:
            problems.append(f"#{row.id} is on the roadmap but not an active item")
            continue
        if not shows(row.title, item["title"]) or row.kind != item["kind"]:
            problems.append(
                f"#{row.id}: the row reads {row.kind} {row.title!r}, stored {item['title']!r}"
            )
        stored = md_by_id.get(row.id)
        if stored is None:
            problems.append(f"#{row.id} is on the screen, not in `tpm roadmap --format md`")
            continue
        _id, _kind, start, target, done, status = stored
        if (start or None, target or None) != (item["start_date"], item["target_date"]):
            problems.append(
                f"#{row.id}: `tpm roadmap --format md` says {start}–{target}, `tpm list` "
                f"{item['start_date']}–{item['target_date']}"
            )
        if done != item["done_percent"]:
            problems.append(
                f"#{row.id}: md says {done} % done, `tpm list` {item['done_percent']} %"
            )
        if not (item["start_date"] and item["target_date"]):
            if row.status != "no dates":
                problems.append(f"#{row.id} has no dates; the row says {row.status!r}")
            continue
        if row.status != f"{done}% {status}":
            problems.append(f"#{row.id}: the row says {row.status!r}, md says {done}% {status}")
        first = (date.fromisoformat(item["start_date"]) - origin).days // days
        last = (date.fromisoformat(item["target_date"]) - origin).days // days
        filled = round((last - first + 1) * item["done_percent"] / 100)
        bar = "".join(
            ("█" if c - first < filled else "▒") if first <= c <= last else "."
            for c in range(cells_across)
        )
        seen = "".join(ch if ch in "█▒" else "." for ch in row.bar.ljust(cells_across))
        seen = seen[:cells_across]
        if seen.rstrip(".") != bar.rstrip("."):
            problems.append(
                f"#{row.id}: the bar covers cells {_span(seen)}, its dates "
                f"{item['start_date']}–{item['target_date']} ({item['done_percent']} % done) "
                f"make {_span(bar)} from {origin} at {zoom}"
            )
    return problems


def _span(bar: str) -> str:
    cells = [i for i, ch in enumerate(bar) if ch != "."]
    full = sum(1 for ch in bar if ch == "█")
    return f"{cells[0]}–{cells[-1]} ({full} filled)" if cells else "none"


# ---------------------------------------------------------------- the week


def at(day: int, clock: str) -> datetime:
    """Day 0 (Monday) … 4 (Friday) of the week at `HH:MM[:SS]`, in Berlin."""
    parts = [int(p) for p in clock.split(":")] + [0]
    moment = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time(), TZ)
    return moment.replace(hour=parts[0], minute=parts[1], second=parts[2])


class Week:
    """Monday to Friday on one workspace, in one terminal size."""

    def __init__(self, size: tuple[int, int], workdir: Path) -> None:
        self.size = size
        self.workdir = workdir
        self.db = workdir / "tpm.db"
        self.reports = workdir / "reports"
        env = {
            "TPM_DB": str(self.db),
            "TPM_REPORTS": str(self.reports),
            "TZ": ZONE,
            "HOME": str(workdir),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "TEXTUAL_ANIMATIONS": "none",
        }
        self.term = Terminal(size, env)
        self.shell = Shell(env)
        self.columns: list[Json] = []
        self.sprints: list[Json] = []
        self.level = "work"
        self.keep: Callable[[Json], bool] = lambda _item: True
        self.filter_text = ""
        self.steps = 0
        self.comparisons = 0
        self._status: str | None = None  # `tpm status --short`, as last asked
        self.keep_going = False  # go on after a disagreement (each is printed)
        self.known = dict(KNOWN)  # the disagreements that do not stop the run
        self.found: list[tuple[str | None, Disagreement]] = []  # (its KNOWN key, if known)
        self.known_seen: set[str] = set()
        self.labels: list[str] = []  # every step's label, in order
        self.settled = False
        self._step_started = time.monotonic()

    # ------------------------------------------------------------ saying what happens

    @property
    def now(self) -> datetime:
        """The frozen clock of the TUI and the second shell."""
        return self.shell.now

    def step(self, what: str) -> str:
        """Print a step; its label names the disagreements it may find."""
        self.steps += 1
        self._step_started = time.monotonic()
        label = f"{self.now:%a %H:%M:%S} {what}"
        self.labels.append(label)
        print(f"{self.steps:3}. {label}", flush=True)
        return label

    def compared(self, what: str) -> None:
        """Print what a comparison found equal."""
        self.comparisons += 1
        took = time.monotonic() - self._step_started
        print(f"       = {what} [{took:.1f} s, {self.shell.calls} calls]", flush=True)

    # ------------------------------------------------------------ the database

    def truth(self) -> Truth:
        """The items as `tpm list --all --format json` has them, at the board's level
        and filter."""
        return Truth(
            self.columns,
            self.sprints,
            self.shell.items("--all"),
            self.level,
            self.keep,
            self.filter_text,
        )

    def seed(self) -> None:
        """`tpm demo --no-open` (a Monday morning), moved into the work folder."""
        self.shell.now = at(0, "08:00")
        env = {**self.shell.env, "TMPDIR": str(self.workdir)}
        done = subprocess.run(
            [sys.executable, "-m", "tpm_tui", "demo", "--no-open"],
            capture_output=True,
            text=True,
            env={**_clean_environ(), **env, "TPM_NOW": self.now.isoformat()},
            check=True,
        )
        match = re.search(r"demo workspace: (\S+)", done.stdout)
        assert match, done.stdout
        source = Path(match.group(1))
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.move(f"{source}{suffix}", f"{self.db}{suffix}")
        shutil.rmtree(source.parent)
        exported = self.shell.export()
        self.columns = sorted(exported["columns"], key=lambda c: c["position"])
        self.sprints = exported["sprints"]
        names = ", ".join(c["name"] for c in self.columns)
        print(f"seeded {self.db}: {len(exported['items'])} items, columns {names}", flush=True)

    # ------------------------------------------------------------ comparing

    def _poll(
        self,
        step: str,
        check: Callable[[], tuple[list[str], str, str]],
        timeout: float,
    ) -> None:
        """Run `check` (problems, screen, database) until it finds none, for up to
        `timeout` seconds; then the last problems are a disagreement."""
        deadline = time.monotonic() + timeout
        self.shell.forget()
        self.settled = False  # the step's change is in the database: only the screen may lag
        read_at = time.monotonic()
        while True:
            if not self.settled and time.monotonic() - read_at >= DATABASE_EVERY:
                self.shell.forget()
                read_at = time.monotonic()
            problems, screen, database = check()
            if not problems:
                return
            if time.monotonic() > deadline:
                found = Disagreement(step, problems, screen, database)
                known = next((k for k in self.known if k in step), None)
                if known is None and not self.keep_going:
                    raise found
                self.found.append((known, found))
                if known is not None:
                    self.known_seen.add(known)
                    print(f"       ! known disagreement: {self.known[known]}", flush=True)
                else:
                    print(found.report(), flush=True)
                return
            time.sleep(0.1)

    def board(
        self,
        step: str,
        expect: Callable[[Truth], str | None] | None = None,
        cursor: int | None = None,
        timeout: float = LOCAL_CHANGE,
        timer: bool = False,
    ) -> BoardShot:
        """Compare the board with `tpm list` until they agree: `expect` says what the
        database must hold first (None when it does), `cursor` which card the keys act on,
        `timer` that the step changed the time entries (the badge is checked afresh)."""
        names = {c["key"]: c["name"] for c in self.columns}
        shots: list[BoardShot] = []

        def check() -> tuple[list[str], str, str]:
            self.shell.prefetch(LIST_ALL, STATUS)
            truth = self.truth()
            screen, cells = self.term.styled()
            waiting = expect(truth) if expect else None
            self.settled = not waiting
            if waiting:
                return [f"the database does not hold it: {waiting}"], screen, truth.describe_board()
            try:
                shot = parse_board(cells, names, self.size[0])
            except ValueError as error:
                return [f"the board cannot be read: {error}"], screen, truth.describe_board()
            problems = board_problems(shot, truth, self.now.date())
            problems += self.badge_problems(shot.status, timer)
            if cursor is not None and not problems:
                try:
                    card = shot.cursor()
                except ValueError as error:
                    return [f"the cursor cannot be found: {error}"], screen, truth.describe_board()
                if card is None or card.id != cursor:
                    shown = f"#{card.id}" if card else "no card"
                    problems.append(f"the cursor is on {shown}; the keys should act on #{cursor}")
            shots[:] = [shot]
            return problems, screen, truth.describe_board()

        self._poll(step, check, timeout)
        shot = shots[0]
        counts = " ".join(f"{c.key}:{len(c.cards)}/{c.count}" for c in shot.columns)
        where = f", cursor on #{cursor}" if cursor is not None else ""
        self.compared(f"board = tpm list ({counts} shown/held{where}; status line, badge)")
        return shot

    def badge_problems(self, status_line: str, fresh: bool) -> list[str]:
        """The timer badge against `tpm status` (asked again when `fresh`: the step
        changed the time entries; else as last asked)."""
        if fresh or self._status is None:
            self._status = self.shell.read("status", "--short").strip()
        return badge_problems(status_line, self._status)

    def time_screen(
        self, step: str, day: date, expect: Callable[[Json], str | None] | None = None
    ) -> None:
        """Compare the time screen's day with `tpm export` and `tpm report`."""

        def check() -> tuple[list[str], str, str]:
            iso_year, week, _ = day.isocalendar()
            self.shell.prefetch(("export",), _report_json(f"{iso_year}-W{week:02d}"), STATUS)
            exported = self.shell.export()
            report = self.shell.report(f"{iso_year}-W{week:02d}")
            screen = self.term.screen()
            database = _describe_entries(exported, day)
            waiting = expect(exported) if expect else None
            self.settled = not waiting
            if waiting:
                return [f"the database does not hold it: {waiting}"], screen, database
            titles = {i["id"]: i["title"] for i in exported["items"]}
            try:
                problems = time_problems(
                    screen, day, exported["time_entries"], report, titles, self.now
                )
            except (StopIteration, ValueError) as error:
                problems = [f"the time screen cannot be read: {error!r}"]
            problems += self.badge_problems(screen.split("\n")[1], fresh=True)
            return problems, screen, database + "\nreport: " + json.dumps(report["days"])

        self._poll(step, check, LOCAL_CHANGE)
        self.compared(f"time screen {day:%a %d %b} = tpm export's entries, tpm report's day, badge")

    def week_screen(self, step: str, week: str, expect_total: int | None = None) -> None:
        """Compare the week screen with `tpm report --format json` (and `md` for the items)."""

        def check() -> tuple[list[str], str, str]:
            self.shell.prefetch(_report_json(week), ("report", "--week", week, "--format", "md"))
            report = self.shell.report(week)
            markdown = self.shell.read("report", "--week", week, "--format", "md")
            screen = self.term.screen()
            if expect_total is not None and report["total_minutes"] != expect_total:
                problems = [f"the report has {report['total_minutes']} min, not {expect_total}"]
            else:
                problems = week_problems(screen, report, markdown)
            return problems, screen, json.dumps(report, indent=1) + "\n" + markdown

        self._poll(step, check, LOCAL_CHANGE)
        self.compared(
            f"week screen {week} = tpm report --format json (shares, days, target, items)"
        )

    def roadmap(
        self,
        step: str,
        expect: Callable[[dict[int, Json]], str | None] | None = None,
        timeout: float = LOCAL_CHANGE,
    ) -> list[RoadmapRow]:
        """Compare the roadmap with `tpm list --format json` and `tpm roadmap --format md`."""
        rows: list[list[RoadmapRow]] = []

        def check() -> tuple[list[str], str, str]:
            self.shell.prefetch(LIST_ALL, ("roadmap", "--format", "md"))
            items = self.shell.items("--all")
            markdown = self.shell.read("roadmap", "--format", "md")
            screen, cells = self.term.styled()
            waiting = expect({i["id"]: i for i in items}) if expect else None
            self.settled = not waiting
            if waiting:
                return [f"the database does not hold it: {waiting}"], screen, markdown
            try:
                problems = roadmap_problems(cells, self.size[0], items, markdown)
                rows[:] = [parse_roadmap(cells)[2]]
            except ValueError as error:
                problems = [f"the roadmap cannot be read: {error}"]
            return problems, screen, markdown

        self._poll(step, check, timeout)
        self.compared(f"roadmap = tpm list dates and tpm roadmap --format md ({len(rows[0])} rows)")
        return rows[0]


LIST_ALL = ("list", "--format", "json", "--all")
STATUS = ("status", "--short")


def _report_json(week: str | None) -> tuple[str, ...]:
    return ("report", "--format", "json") + (("--week", week) if week else ())


def _clean_environ() -> dict[str, str]:
    """This process's environment without any TPM_ setting of the person running it."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}


def _describe_entries(exported: Json, day: date) -> str:
    """A day's stored entries, a line each."""
    lines = [f"entries stored for {day}:"]
    for entry in sorted(exported["time_entries"], key=lambda e: e["started_at"]):
        started = parse_utc(entry["started_at"])
        if started.date() != day:
            continue
        ended = parse_utc(entry["ended_at"]) if entry["ended_at"] else None
        end = f"{ended:%H:%M:%S}" if ended else "running"
        lines.append(
            f"  #{entry['id']} {started:%H:%M:%S}–{end} {entry['category']} "
            f"{entry['note']!r} item {entry['item_id']}"
        )
    return "\n".join(lines)


class Days(Week):
    """The steps of the week, day by day."""

    new_id = 0  # the story made through the form on Monday
    added_id = 0  # the story `tpm add` made from the second shell

    # ------------------------------------------------------------ helpers for keys

    def open(self, args: Sequence[str], now: datetime, ready: str) -> None:
        """Open tpm (a new morning, or later that day) and wait until `ready` shows."""
        self.shell.now = now
        self._status = None
        self.term.open(args, now)
        self.term.wait_for(ready, timeout=30)

    def quit(self) -> None:
        """`q`: tpm leaves with exit 0."""
        self.step("q")
        self.term.press("q")
        self.term.wait_for("TPM-EXITED 0")
        self.term.close()

    def fill(self, text: str, shown: str | Callable[[str], bool] | None = None) -> None:
        """Type into the focused field and wait until the screen shows it (or `shown`)."""
        self.term.type(text)
        self.term.wait_for(shown or text)

    def clear_field(self) -> None:
        """Empty the focused input (to its start, then delete to its end)."""
        self.term.press("C-a", "C-k")

    def form(self, heading: str, first: str) -> None:
        """Wait until a form is open with the focus on its first field (`first`): keys
        typed before that are lost (the opening form focuses its first choice for a
        moment, a reported bug)."""
        self.term.wait_for(heading)
        self.term.wait_for_cells(lambda c: focused_field(c) == first)

    def field(self, label: str, text: str) -> None:
        """Replace the text of the field labelled `label`: tab to it (waiting until the
        screen shows the focus there after each tab, as a person would: keys typed at
        once after a tab can still reach the field it left, a reported bug), empty it,
        type, and wait until the field shows the text."""
        for _tab in range(10):
            _screen, cells = self.term.styled()
            focused = focused_field(cells)
            if focused == label:
                break
            self.term.press("Tab")
            self.term.wait_for_cells(_focus_left(focused), 5.0)
        else:
            raise Disagreement(
                f"moving to {label}", ["ten tabs never reached it"], self.term.screen(), ""
            )
        before = field_value(self.term.screen(), label)
        if before and not before.startswith(PLACEHOLDERS):
            self.clear_field()
            self.term.wait_for(lambda s: field_value(s, label) != before)
        self.term.type(text)
        self.term.wait_for(lambda s: field_value(s, label).startswith(text))

    def line_modal(self, key: str, title: str, line: str, preview: str, done: str) -> None:
        """`t`, `s` or `S`: wait for the modal, type the line, wait for its preview,
        enter, wait for the confirmation."""
        self.term.press(key)
        self.term.wait_for(title)
        self.fill(line, f"→ {preview}")
        self.term.press("Enter")
        self.term.wait_for(done)

    def column_ids(self, truth: Truth, key: str) -> list[int]:
        """The ids the database has in a board column (at the board's level)."""
        return [i["id"] for i in truth.board()[key]]

    # ------------------------------------------------------------ the days

    def monday(self) -> None:
        """Plan on the board, change it from the shell, log time and run timers."""
        self.open(["board"], at(0, "09:40"), "Backlog")
        self.board(self.step("the board opens on the seeded workspace"), timeout=15)

        step = self.step('n: a new story through the form (5 pts, parent "Metering")')
        self.term.press("n")
        self.form("New item", "Title")
        self.field("Title", "Meter usage per seat")
        self.field("Points", "5")
        self.field("Parent", "Metering")
        self.term.wait_for("#34 Metering pipeline (feature)")
        self.term.press("Enter")
        self.term.wait_for(lambda s: "Metering pipeline (feature)" in s and "#40 Pricing" not in s)
        self.term.press("C-s")

        def made(truth: Truth) -> str | None:
            found = [i for i in truth.items if i["title"] == "Meter usage per seat"]
            if not found:
                return "no item 'Meter usage per seat'"
            item = found[0]
            self.new_id = item["id"]
            wanted = {"kind": "story", "points": 5, "parent_id": 34, "status": "backlog"}
            got = {k: item[k] for k in wanted}
            return None if got == wanted else f"stored as {got}, typed {wanted}"

        self.board(step, made, cursor=None)
        self.board(step, cursor=self.new_id)
        new = self.new_id

        for key, column in (("L", "todo"), ("L", "in_progress")):
            step = self.step(f"{key}: #{new} to the next column ({column})")
            self.term.press(key)
            self.board(step, _status_is(new, column), cursor=new)

        for key, delta in (("K", -1), ("K", -1), ("J", 1)):
            truth = self.truth()
            ids = self.column_ids(truth, "in_progress")
            wanted = ids.index(new) + delta
            step = self.step(f"{key}: #{new} {'up' if delta < 0 else 'down'} to place {wanted + 1}")
            self.term.press(key)
            self.board(step, _place_is(self, new, "in_progress", wanted), cursor=new)

        place = self.column_ids(self.truth(), "in_progress").index(new)
        step = self.step(f"x: archive #{new}")
        self.term.press("x")
        self.board(step, lambda t: None if t.by_id[new]["archived"] else "not archived")
        step = self.step("u: undo the archive")
        self.term.press("u")
        self.board(step, _place_is(self, new, "in_progress", place), cursor=new)

        step = self.step("second shell: tpm move 15 in_progress (the board follows)")
        self.shell.run("move", "15", "in_progress")
        self.board(step, timeout=OUTSIDE_CHANGE, cursor=new)
        step = self.step(
            'second shell: tpm edit 7 --title "Replace the PDF layout code" --points 8'
        )
        self.shell.run("edit", "7", "--title", "Replace the PDF layout code", "--points", "8")
        self.board(step, timeout=OUTSIDE_CHANGE, cursor=new)
        step = self.step(
            'second shell: tpm add story "Usage alerts at 80 %" --points 3 --parent 34'
        )
        added = self.shell.run(
            "add", "story", "Usage alerts at 80 %", "--points", "3", "--parent", "34", "-q"
        )
        self.added_id = int(added.strip())
        self.board(step, timeout=OUTSIDE_CHANGE, cursor=new)

        step = self.step(f"t: 9:00-9:30 m standup #{self.added_id}")
        self.line_modal(
            "t",
            "Log time",
            f"9:00-9:30 m standup #{self.added_id}",
            "30m · meetings · standup",
            "Logged 30m meetings",
        )
        self.board(step, cursor=new, timer=True)
        step = self.step(f"s: a timer, t backlog grooming #{new}")
        self.line_modal(
            "s", "Start a timer", f"t backlog grooming #{new}", "start tooling", "Started tooling"
        )
        self.board(step, cursor=new, timer=True)
        self.quit()
        self.monday_time()

    def monday_time(self) -> None:
        """Late morning on the time screen: the timer seen running, stopped, an entry
        logged from the shell, one edited in the form, one deleted and brought back."""
        monday = MONDAY
        self.open(["time"], at(0, "11:30:30"), "start")
        self.time_screen(self.step("tpm time: Monday, the timer still running"), monday)

        step = self.step("S: stop the timer")
        self.term.press("S")
        self.time_screen(step, monday, _no_timer)

        step = self.step("second shell: tpm log 45m d PRD draft --from 8:00 (then . to re-read)")
        self.shell.run(
            "log", "45m", "d", "PRD draft", "--from", "8:00", "--item", str(self.added_id)
        )
        self.follows_by_itself("the time screen", lambda: "PRD draft" in self.term.screen())
        self.term.press(".")
        self.time_screen(step, monday, _has_note("PRD draft"))

        step = self.step("g j e: the standup becomes 20m, daily standup (the entry form)")
        self.term.press("g", "j", "e")
        self.form("Edit the meetings entry", "Duration")
        self.field("Duration", "20m")
        self.field("Note", "daily standup")
        self.term.press("C-s")
        self.time_screen(step, monday, _has_note("daily standup", minutes=20))

        step = self.step("j x: delete the timer's entry")
        entries = self._day_entries(monday)
        gone = entries[2]
        self.term.press("j", "x")
        self.time_screen(step, monday, _lacks(gone["id"]))
        step = self.step("u: undo the delete")
        self.term.press("u")
        self.time_screen(step, monday, _has_note(gone["note"]))
        step = self.step(f"s: d spec review #{self.added_id}, left running overnight")
        self.line_modal(
            "s",
            "Start a timer",
            f"d spec review #{self.added_id}",
            "start deliverables",
            "Started deliverables",
        )
        self.time_screen(step, monday)
        self.quit()

    def _day_entries(self, day: date) -> list[Json]:
        """A day's stored entries in order."""
        return sorted(
            (
                e
                for e in self.shell.export()["time_entries"]
                if parse_utc(e["started_at"]).date() == day
            ),
            key=lambda e: (e["started_at"], e["id"]),
        )

    def follows_by_itself(self, what: str, test: Callable[[], bool]) -> None:
        """Say whether a screen the README does not promise to be live followed a change
        from the shell within two seconds, before a key makes it read again."""
        deadline = time.monotonic() + OUTSIDE_CHANGE
        while time.monotonic() < deadline:
            if test():
                self.compared(f"{what} followed the shell by itself")
                return
            time.sleep(0.1)
        print(f"       ~ {what} did not follow by itself within {OUTSIDE_CHANGE:.0f} s", flush=True)

    def tuesday(self) -> None:
        """The forgotten timer, edits through the form with undo, changes from the shell."""
        self.open(["board"], at(1, "09:15"), "Backlog")
        self.board(self.step("Tuesday: the board, the timer running since yesterday"), timeout=15)

        step = self.step("S: the timer ran overnight; it ended at 17:45")
        self.term.press("S")
        self.term.wait_for("since yesterday 11:30")
        self.fill("17:45", "→ ")
        self.term.press("Enter")
        self.term.wait_for("11:30–17:45")
        self.board(step, timer=True)

        truth = self.truth()
        target = self.column_ids(truth, "todo")[2]
        step = self.step(f"l j j e: edit #{target} in the form (title, points 13)")
        self.term.press("l", "j", "j")
        self.board(step, cursor=target)
        self.term.press("e")
        self.form(f"Edit #{target}", "Title")
        self.field("Title", "Tax rate survives duplicating a line")
        self.field("Points", "13")
        self.term.press("C-s")
        self.board(
            step,
            _fields_are(target, title="Tax rate survives duplicating a line", points=13),
            cursor=target,
        )

        step = self.step(f"e: clear #{target}'s points")
        self.term.press("e")
        self.form(f"Edit #{target}", "Title")
        self.field("Title", "Tax rate survives duplicating a line")
        self.field("Points", "")
        self.term.press("C-s")
        self.board(step, _fields_are(target, points=None), cursor=target)

        step = self.step(f"H: #{target} back to the backlog")
        self.term.press("H")
        self.board(step, _status_is(target, "backlog"), cursor=target)
        step = self.step("u: undo the move")
        self.term.press("u")
        self.board(step, _place_is(self, target, "todo", 2), cursor=target)
        step = self.step("u: undo clearing the points")
        self.term.press("u")
        self.board(step, _fields_are(target, points=13), cursor=target)

        step = self.step(f"second shell: tpm edit {self.added_id} --owner ana")
        self.shell.run("edit", str(self.added_id), "--owner", "ana")
        self.board(step, timeout=OUTSIDE_CHANGE)
        step = self.step("second shell: tpm archive 16")
        self.shell.run("archive", "16")
        self.board(step, timeout=OUTSIDE_CHANGE)

        step = self.step(f"t: 1h t grooming #{self.added_id} @yesterday")
        self.line_modal(
            "t",
            "Log time",
            f"1h t grooming #{self.added_id} @yesterday",
            "1h · tooling · grooming",
            "Logged 1h tooling",
        )
        self.board(step, timer=True)
        step = self.step("3: the time screen, Tuesday")
        self.term.press("3")
        self.time_screen(step, MONDAY + timedelta(days=1))
        step = self.step("[: Monday")
        self.term.press("[")
        self.time_screen(step, MONDAY, _has_note("grooming"))
        step = self.step("]: Tuesday again")
        self.term.press("]")
        self.time_screen(step, MONDAY + timedelta(days=1))
        step = self.step("1: the board")
        self.term.press("1")
        self.board(step)
        self.quit()

    def wednesday(self) -> None:
        """Narrow the board with a filter, switch levels, then the roadmap: shift an epic
        a week, undo it, and a date changed from the shell."""
        self.open(["board"], at(2, "09:30"), "Backlog")
        self.board(self.step("Wednesday: the board"), timeout=15)

        step = self.step("/ owner:ana: the board narrowed to ana's cards")
        self.term.press("/")
        # Keys typed before the filter's field has the focus are the board's keys (`n`
        # opens a new item): a reported bug. Type once its cursor shows.
        self.term.wait_for_cells(_filter_focused)
        self.term.type("owner:ana")
        # The empty field's placeholder names `owner:ana` too: wait for the typed text,
        # alone at the start of its line (on a loaded machine the keys arrive later).
        self.term.wait_for(
            lambda screen: any(line.strip() == "owner:ana" for line in screen.splitlines())
        )
        self.term.press("Enter")
        self.keep, self.filter_text = (lambda item: item["owner"] == "ana"), "owner:ana"
        self.board(step)
        step = self.step("esc: the filter cleared")
        self.term.press("Escape")
        self.keep, self.filter_text = (lambda _item: True), ""
        self.board(step)

        for level in ("features", "epics", "work"):
            step = self.step(f"v: the {level} level")
            self.term.press("v")
            self.level = level
            self.board(step)

        step = self.step("2: the roadmap")
        self.term.press("2")
        self.term.wait_for(lambda s: bool(re.search(r"(weeks|months|quarters): \d\d \w{3}", s)))
        rows = self.roadmap(step)
        epic = next(r for r in rows if r.kind == "epic" and r.status != "no dates")
        before = self.shell.items("--all")
        stored = next(i for i in before if i["id"] == epic.id)
        later = _shifted(stored, 7)
        step = self.step(f"L: #{epic.id} a week later")
        self.term.press("L")
        self.roadmap(step, _dates_are(epic.id, *later))
        step = self.step("u: undo the shift")
        self.term.press("u")
        self.roadmap(step, _dates_are(epic.id, stored["start_date"], stored["target_date"]))
        self.quit()

    def thursday(self) -> None:
        """The day in the time screen: a quick log, a timer started here and stopped from
        the shell, an entry deleted and brought back; then the board, changed from both."""
        thursday = MONDAY + timedelta(days=3)
        self.open(["time"], at(3, "16:30"), "start")
        self.time_screen(self.step("Thursday: the time screen, nothing logged yet"), thursday)
        step = self.step("t: 2h d PRD review @9:00")
        self.line_modal("t", "Log time", "2h d PRD review @9:00", "2h · deliverables", "Logged 2h")
        self.time_screen(step, thursday, _has_note("PRD review", minutes=120))
        step = self.step("s: m sync (a timer)")
        self.line_modal("s", "Start a timer", "m sync", "start meetings", "Started meetings")
        self.time_screen(step, thursday)
        step = self.step("second shell: tpm stop (the badge follows; . re-reads the day)")
        self.shell.run("stop")
        self.term.wait_for("no timer", timeout=TIMER_CHANGE)
        self.term.press(".")
        self.time_screen(step, thursday, _no_timer)

        step = self.step("1: the board")
        self.term.press("1")
        self.board(step, timeout=15)
        truth = self.truth()
        card = self.column_ids(truth, "review")[0]
        step = self.step(f"l l l L: #{card} from review to done")
        self.term.press("l", "l", "l")
        self.board(step, cursor=card)
        self.term.press("L")
        self.board(step, _status_is(card, "done"), cursor=card)
        step = self.step(f"second shell: tpm edit {card} --points 3, tpm move 9 review")
        self.shell.run("edit", str(card), "--points", "3")
        self.shell.run("move", "9", "review")
        self.board(step, timeout=OUTSIDE_CHANGE, cursor=card)
        self.quit()

    def friday(self) -> None:
        """The week screen against the report, the Markdown export, last week."""
        iso_year, number, _ = MONDAY.isocalendar()
        week = f"{iso_year}-W{number:02d}"
        self.open(["week"], at(4, "16:00"), "logged")
        self.week_screen(self.step(f"Friday: the week screen, {week}"), week)
        step = self.step("E: the week as Markdown")
        self.term.press("E")
        shown = self.term.wait_for("Week exported")
        written_files = sorted(self.reports.glob(f"week-{week}*.md"))
        lines = shown.rstrip("\n").split("\n")
        toast = _toasts(lines, 2, len(lines) - 1)[2]
        if len(written_files) != 1 or squash(str(written_files[0])) not in squash(toast):
            raise Disagreement(step, [f"the notification, the files {written_files}"], shown, "")
        path = written_files[0]
        wanted = self.shell.run("report", "--week", week, "--format", "md")
        written = path.read_text(encoding="utf-8") if path.exists() else "(no file)"
        if written.strip() != wanted.strip():
            raise Disagreement(
                step, [f"{path} differs from `tpm report --format md`"], written, wanted
            )
        self.compared(f"{path.name} = tpm report --week {week} --format md")
        previous = MONDAY - timedelta(days=7)
        iso_year, number, _ = previous.isocalendar()
        step = self.step("[: last week")
        self.term.press("[")
        self.term.wait_for(f"Week {iso_year}-W{number:02d}")
        self.week_screen(step, f"{iso_year}-W{number:02d}")
        step = self.step(".: this week again")
        self.term.press(".")
        self.term.wait_for(f"Week {week}")
        self.week_screen(step, week)
        self.quit()


def _filter_focused(cells: list[list[Cell]]) -> bool:
    """The board's filter field is open with its cursor (a cell unlike the next) at its
    start, on the line above the key bar."""
    lines = [line for line in cells if "".join(c.char for c in line).strip()]
    if len(lines) < 2 or len(lines[-2]) < 2:
        return False
    field = lines[-2]
    return field[0].char != " " and field[0].look != field[1].look


def _focus_left(was: str | None) -> Callable[[list[list[Cell]]], bool]:
    def test(cells: list[list[Cell]]) -> bool:
        return focused_field(cells) != was

    return test


def _shifted(item: Json, days: int) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        (date.fromisoformat(item[k]) + timedelta(days=days)).isoformat()
        for k in ("start_date", "target_date")
    )


def _dates_are(item_id: int, start: str, target: str) -> Callable[[dict[int, Json]], str | None]:
    def test(items: dict[int, Json]) -> str | None:
        got = (items[item_id]["start_date"], items[item_id]["target_date"])
        return None if got == (start, target) else f"#{item_id} has {got}, not {(start, target)}"

    return test


def _no_timer(exported: Json) -> str | None:
    running = [e for e in exported["time_entries"] if e["ended_at"] is None]
    return f"a {running[0]['category']} timer still runs" if running else None


def _has_note(note: str, minutes: int | None = None) -> Callable[[Json], str | None]:
    def test(exported: Json) -> str | None:
        for entry in exported["time_entries"]:
            if entry["note"] == note and entry["ended_at"]:
                took = entry_minutes(parse_utc(entry["started_at"]), parse_utc(entry["ended_at"]))
                if minutes is None or took == minutes:
                    return None
        return f"no entry {note!r}" + (f" of {minutes} minutes" if minutes else "")

    return test


def _lacks(entry_id: int) -> Callable[[Json], str | None]:
    def test(exported: Json) -> str | None:
        ids = {e["id"] for e in exported["time_entries"]}
        return f"entry #{entry_id} is still stored" if entry_id in ids else None

    return test


def _fields_are(item_id: int, **wanted: Any) -> Callable[[Truth], str | None]:
    def test(truth: Truth) -> str | None:
        item = truth.by_id[item_id]
        got = {k: item[k] for k in wanted}
        return None if got == wanted else f"#{item_id} holds {got}, not {wanted}"

    return test


def _status_is(item_id: int, column: str) -> Callable[[Truth], str | None]:
    def test(truth: Truth) -> str | None:
        status = truth.by_id[item_id]["status"]
        return None if status == column else f"#{item_id} is in {status}, not {column}"

    return test


def _place_is(week: Week, item_id: int, column: str, place: int) -> Callable[[Truth], str | None]:
    def test(truth: Truth) -> str | None:
        ids = [i["id"] for i in truth.board()[column]]
        if item_id not in ids:
            return f"#{item_id} is not in {column}"
        found = ids.index(item_id)
        return None if found == place else f"#{item_id} is at place {found + 1}, not {place + 1}"

    return test


# ---------------------------------------------------------------- running it


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def run(
    size: tuple[int, int],
    workdir: Path,
    strict: bool = False,
    keep_going: bool = False,
    days_wanted: Sequence[str] = DAYS,
) -> int:
    """Play the week; 0 when the screen and the database agreed after every step (or
    disagreed only where KNOWN says they do, unless `strict`)."""
    days = Days(size, workdir)
    days.keep_going = keep_going
    known = days.known = {} if strict else dict(KNOWN)
    started = time.monotonic()
    try:
        days.seed()
        for name in DAYS:
            if name not in days_wanted:
                continue
            so_far = time.monotonic() - started
            print(f"---- {name.capitalize()} ({size[0]}x{size[1]}, at {so_far:.0f} s)", flush=True)
            getattr(days, name)()
    except Disagreement as found:
        print(found.report(), flush=True)
        return 1
    except (RuntimeError, subprocess.SubprocessError) as failure:
        print(f"FAILED at step {days.steps}: {failure}", flush=True)
        return 1
    finally:
        days.term.close()
    took = f"{time.monotonic() - started:.0f} s at {size[0]}x{size[1]}"
    counts = f"{days.steps} steps, {days.comparisons} comparisons, {days.shell.calls} tpm commands"
    new = [d for key, d in days.found if key is None or key not in known]
    stale = [
        key
        for key in known
        if key not in days.known_seen and any(key in label for label in days.labels)
    ]
    if new:
        print(f"{len(new)} disagreements ({counts}, {took}):", flush=True)
        for disagreement in new:
            print(f"  - {disagreement}", flush=True)
        return 1
    if stale:
        for key in stale:
            print(f"no longer disagrees: {key!r} ({KNOWN[key]}): take it out of KNOWN")
        return 1
    known_found = f"; known disagreements: {len(days.found)}" if days.found else ""
    print(f"the screen and the database agreed ({counts}, {took}{known_found})", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`week_in_tmux.py [--size 120x40] [--keep DIR]`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxLINES")
    parser.add_argument("--keep", metavar="DIR", help="keep the workspace (and reports) in DIR")
    parser.add_argument(
        "--strict", action="store_true", help="the KNOWN disagreements fail the run too"
    )
    parser.add_argument(
        "--keep-going", action="store_true", help="go on after a disagreement, print them all"
    )
    parser.add_argument(
        "--days", default=",".join(DAYS), help="the days to play (a shorter run while working)"
    )
    args = parser.parse_args(argv)
    match = re.fullmatch(r"(\d+)x(\d+)", args.size)
    if match is None:
        parser.error(f"--size {args.size!r}: say COLUMNSxLINES, such as 120x40")
    size = (int(match.group(1)), int(match.group(2)))
    if shutil.which("tmux") is None:
        print("week_in_tmux: tmux is not installed", file=sys.stderr)
        return 2
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        if any(workdir.iterdir()):
            parser.error(f"--keep {workdir}: the folder is not empty")
        return run(size, workdir, args.strict, args.keep_going, args.days.split(","))
    with tempfile.TemporaryDirectory(prefix="tpm-week-") as folder:
        return run(size, Path(folder), args.strict, args.keep_going, args.days.split(","))


if __name__ == "__main__":
    sys.exit(main())
