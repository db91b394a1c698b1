#!/usr/bin/env python3
"""Two people, one team database, a sprint: the trial a new user would make.

    python tests/e2e/team_trial.py [--days 10] [--restart-on 4] [--size 120x40]

Starts a PostgreSQL server of its own (tests/postgres.py), then ana and ben each open
the real `tpm` board in a tmux server of their own (TPM_USER=ana, TPM_USER=ben, the
plain `postgresql://` URL a user types). Each working day of a two-week sprint both
open tpm again with that day's frozen clock (TPM_NOW), and they move cards with keys,
edit a title through the form, move cards, log time and run a timer from their
shells. After every step both boards are compared with `tpm list`/`tpm export` (and
each one's timer badge with their own `tpm status --short`): ana's own changes within
3 s, a colleague's within 2 s. On `--restart-on` day the server is stopped mid-session
(pg_ctl) and started again: both status lines must say "reconnecting…", a move and a
form's save are refused with a message, the shell says one line, and after the restart
everything is read again. Every disagreement and every message seen is printed; the
run ends with a summary (exit 1 when a disagreement was found). It only reads what a
person would see: screens and the command line's output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.week_in_tmux import (
    Terminal,
    Truth,
    badge_problems,
    board_problems,
    parse_board,
)

ZONE = "Europe/Berlin"
TZ = ZoneInfo(ZONE)
FIRST_DAY = date(2026, 11, 30)  # a Monday: the sprint's first day
OWN_CHANGE = 3.0  # seconds a person's own key may take to be on screen
OUTSIDE_CHANGE = 2.0  # seconds the other board may take to follow (README)
TIMER_CHANGE = 6.0  # seconds a timer started in a shell may take to show in the badge
STARTUP = 90.0  # seconds a board may take to open on a loaded machine
PEOPLE = ("ana", "ben")
WIDTH = "#{pane_width}"  # tmux's name for a pane's width
Json = dict[str, Any]


def working_days(count: int) -> list[date]:
    """The sprint's first `count` working days."""
    days, day = [], FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class Person:
    """One person: their board in tmux and their shell (both as TPM_USER)."""

    def __init__(self, name: str, url: str, size: tuple[int, int]) -> None:
        self.name = name
        base = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
        self.env = {**base, "TPM_DB": url, "TPM_USER": name, "TZ": ZONE}
        self.env |= {"TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
        self.term = Terminal(size, self.env)
        self.term.server = f"trial-{os.getpid()}-{name}"
        self.now = datetime.combine(FIRST_DAY, datetime.min.time(), TZ)

    def tpm(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`tpm ARGS` in this person's shell, at their clock."""
        return subprocess.run(
            [sys.executable, "-m", "tpm_tui", *args],
            env={**self.env, "TPM_NOW": self.now.isoformat()},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def open(self, now: datetime) -> None:
        """Open tpm on the board at `now` (closing the one before)."""
        self.now = now
        self.term.open([], now)


class Trial:
    """The sprint, step by step, with every comparison and message written down."""

    def __init__(self, server: Any, size: tuple[int, int]) -> None:
        self.server = server
        self.size = size
        # As a user would type it (tpm adds the driver).
        self.url = f"postgresql://tpm@/trial?host={server.socket_dir}&port={server.port}"
        self.people = {name: Person(name, self.url, size) for name in PEOPLE}
        self.steps = 0
        self.disagreements: list[str] = []
        self.messages: list[str] = []  # every notification and shell line seen
        self.seen_toasts: set[str] = set()
        self.columns: list[Json] = []
        self.names: dict[str, str] = {}
        self.minutes: dict[tuple[str, tuple[int, int]], int] = {}

    # ------------------------------------------------------------ saying what happens

    def step(self, who: str, what: str) -> None:
        """Print a step."""
        self.steps += 1
        person = self.people.get(who)
        moment = f"{person.now:%a %d %b %H:%M}" if person else ""
        print(f"{self.steps:3}. {moment} {who}: {what}", flush=True)

    def note(self, text: str) -> None:
        """A message a person saw (a notification, a shell's line), said once."""
        if text and text not in self.seen_toasts:
            self.seen_toasts.add(text)
            self.messages.append(text)
            print(f"       saw: {text}", flush=True)

    def disagree(self, what: str, screen: str = "", database: str = "") -> None:
        """A screen and the database (or what a step expected) disagree."""
        self.disagreements.append(what)
        print(f"       DISAGREEMENT: {what}", flush=True)
        if screen:
            print("       ---- the screen ----\n" + screen.rstrip(), flush=True)
        if database:
            print("       ---- the database ----\n" + database.rstrip(), flush=True)

    # ------------------------------------------------------------ the database

    def truth(self, who: str = "ana") -> Truth:
        """What the database holds, as `tpm list` and `tpm export` print it."""
        person = self.people[who]
        listed = person.tpm("list", "--all", "--format", "json")
        exported = person.tpm("export")
        if listed.returncode or exported.returncode:
            raise RuntimeError(f"cannot read the database: {listed.stderr}{exported.stderr}")
        data = json.loads(exported.stdout)
        self.columns = sorted(data["columns"], key=lambda c: c["position"])
        self.names = {c["key"]: c["name"] for c in self.columns}
        return Truth(self.columns, data["sprints"], json.loads(listed.stdout))

    def item(self, truth: Truth, item_id: int) -> Json:
        """One item as the database has it."""
        return truth.by_id[item_id]

    # ------------------------------------------------------------ comparing

    def boards_agree(self, why: str, timeout: float, timers: bool = False) -> Truth:
        """Both boards against the database until they agree (or `timeout` passes: a
        disagreement), the badges against each one's `tpm status --short` if `timers`."""
        truth = self.truth()
        shorts = {}
        if timers:
            shorts = {n: p.tpm("status", "--short").stdout.strip() for n, p in self.people.items()}
        for name, person in self.people.items():
            deadline = time.monotonic() + timeout
            while True:
                screen, cells = person.term.styled()
                self._toasts(screen)
                try:
                    # The pane's real width (tmux once came up at its 80x24 under load).
                    width = person.term._tmux("display-message", "-p", "-t", "week", WIDTH)
                    shot = parse_board(cells, self.names, int(width))
                    problems = board_problems(shot, truth, person.now.date())
                    if timers:
                        problems += badge_problems(shot.status, shorts[name])
                except ValueError as error:
                    problems = [f"the board cannot be read: {error}"]
                if not problems:
                    break
                if time.monotonic() > deadline:
                    self.disagree(
                        f"{name}'s board {timeout:.0f} s after {why}: " + "; ".join(problems),
                        screen,
                        truth.describe_board(),
                    )
                    break
                time.sleep(0.1)
        print(f"       = both boards show the database ({why})", flush=True)
        return truth

    def _toasts(self, screen: str) -> None:
        """Notifications on a screen (drawn at the right with a ▌ down their side)."""
        rows = [line[line.index("▌") + 1 :].strip() for line in screen.split("\n") if "▌" in line]
        text = re.sub(r"\s+", " ", " ".join(r for r in rows if r)).strip()
        if text:
            self.note(f"notification: {text}")

    def wait_screen(self, who: str, test: Callable[[str], bool], what: str, timeout: float) -> bool:
        """Wait until `who`'s screen passes `test`; a disagreement if it never does."""
        term = self.people[who].term
        deadline = time.monotonic() + timeout
        while True:
            screen = term.screen()
            self._toasts(screen)
            if test(screen):
                return True
            if time.monotonic() > deadline:
                self.disagree(f"{who}'s screen never showed {what}", screen)
                return False
            time.sleep(0.1)

    # ------------------------------------------------------------ the sprint

    def seed(self) -> None:
        """ana sets the team up from her shell: a sprint and its stories."""
        self.server.psql("CREATE DATABASE trial")
        ana = self.people["ana"]
        ana.now = datetime.combine(FIRST_DAY, datetime.min.time(), TZ).replace(hour=8)
        self.step("ana", "tpm sprint new, tpm add (8 stories, 4 in the sprint)")
        for args in (
            ("sprint", "new", "Sprint 1", "--start", FIRST_DAY.isoformat(), "--length", "2w"),
            ("add", "epic", "Self-serve invoicing"),
            *(
                ("add", "story", title, "--points", str(points), "--parent", "1")
                + (("--sprint", "current") if n < 4 else ())
                for n, (title, points) in enumerate(
                    [
                        ("Export invoices as PDF", 5),
                        ("Send invoices by mail", 3),
                        ("Invoice numbering", 2),
                        ("Tax per country", 8),
                        ("Credit notes", 5),
                        ("Payment reminders", 3),
                        ("Invoice search", 2),
                        ("Dunning letters", 5),
                    ]
                )
            ),
        ):
            done = ana.tpm(*args)
            if done.returncode:
                raise RuntimeError(f"tpm {' '.join(args)}: {done.stderr}")
        self.truth()

    def morning(self, day: date) -> None:
        """Both open tpm for the day; the header names the database and the person."""
        for person in self.people.values():
            person.open(datetime.combine(day, datetime.min.time(), TZ).replace(hour=9))
        for name, person in self.people.items():
            self.step(name, "tpm (the board)")
            try:
                person.term.wait_for(f"team · local/trial · as {name}", timeout=STARTUP)
            except Exception:  # said as a disagreement, with the screen
                self.disagree(
                    f"{name}'s header never named the team database", person.term.screen()
                )
        self.boards_agree("opening", OWN_CHANGE, timers=True)

    def key_move(self, who: str, key: str = "L") -> int | None:
        """`who` moves the card under the cursor with a key; both boards follow."""
        before = {i["id"]: i["status"] for i in self.truth().items}
        self.step(who, f"{key} (move the card under the cursor)")
        self.people[who].term.press(key)
        deadline = time.monotonic() + OWN_CHANGE
        while time.monotonic() < deadline:
            after = {i["id"]: i["status"] for i in self.truth().items}
            moved = [i for i in after if before.get(i) != after[i]]
            if moved:
                self.boards_agree(f"{who}'s {key}", OUTSIDE_CHANGE)
                return moved[0]
            time.sleep(0.2)
        self.disagree(
            f"{who}'s {key} moved nothing in the database", self.people[who].term.screen()
        )
        return None

    def form_edit(self, who: str, suffix: str) -> None:
        """`who` edits the title of the card under the cursor through the form."""
        term = self.people[who].term
        self.step(who, f"e, End, type {suffix!r}, ctrl+s")
        term.press("e")
        if not self.wait_screen(who, lambda s: "Edit #" in s, "the item form", OWN_CHANGE):
            return
        heading = re.search(r"Edit #(\d+)", term.screen())
        assert heading is not None
        item_id = int(heading.group(1))
        time.sleep(0.3)  # the form focuses its title field once shown
        term.press("End")
        term.type(suffix)
        self.wait_screen(who, lambda s: suffix in s, "the typed text", OWN_CHANGE)
        term.press("C-s")
        if self.wait_screen(who, lambda s: "Edit #" not in s, "the board again", OWN_CHANGE):
            truth = self.boards_agree(f"{who}'s edit of #{item_id}", OUTSIDE_CHANGE)
            if not self.item(truth, item_id)["title"].endswith(suffix.strip()):
                self.disagree(f"#{item_id}'s title was not saved: {self.item(truth, item_id)}")

    def shell(
        self, who: str, *args: str, expect_ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """`who` runs `tpm ARGS` in their shell; its lines are written down."""
        self.step(who, "tpm " + " ".join(args))
        done = self.people[who].tpm(*args)
        for line in (done.stdout + done.stderr).strip().splitlines()[:3]:
            print(f"       | {line}", flush=True)
        if done.stderr.strip():
            self.note(f"tpm {args[0]} said: {done.stderr.strip()}")
        if expect_ok and done.returncode:
            self.disagree(f"tpm {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done

    def logged(self, who: str, minutes: int) -> None:
        """Note minutes `who` logged this week (their report must say them)."""
        week = self.people[who].now.isocalendar()[:2]
        self.minutes[(who, week)] = self.minutes.get((who, week), 0) + minutes

    def hours_stay_theirs(self) -> None:
        """Each one's `tpm report` is their own week alone (never the other's hours)."""
        for who, person in self.people.items():
            week = person.now.isocalendar()[:2]
            report = json.loads(person.tpm("report", "--format", "json").stdout)
            wanted = self.minutes.get((who, week), 0)
            print(f"       {who}'s report: {report['total_minutes']} min this week", flush=True)
            if report["total_minutes"] != wanted:
                self.disagree(
                    f"{who}'s tpm report says {report['total_minutes']} min this week,"
                    f" {wanted} min were logged as {who}"
                )

    def restart(self) -> None:
        """The server stops mid-session and starts again, while ben has a form open."""
        ana, ben = self.people["ana"], self.people["ben"]
        self.step("ben", "e (the item form), End")
        ben.term.press("e")
        if not self.wait_screen("ben", lambda s: "Edit #" in s, "the item form", OWN_CHANGE):
            return
        time.sleep(0.3)  # the form focuses its title field once shown
        ben.term.press("End")
        self.step("admin", "pg_ctl stop (the server goes away)")
        self.server.stop()
        self.wait_screen("ana", lambda s: "reconnecting…" in s, '"reconnecting…"', 15)
        self.step("ben", "type ' (offline)', ctrl+s while the server is away")
        ben.term.type(" (offline)")
        self.wait_screen("ben", lambda s: "(offline)" in s, "the typed text", OWN_CHANGE)
        ben.term.press("C-s")
        self.wait_screen(
            "ben",
            lambda s: "Edit #" in s and "(offline)" in s and "does not answer" in s,
            "the form kept, saying why it was not saved",
            5,
        )
        self.step("ana", "L while the server is away")
        ana.term.press("L")
        self.wait_screen("ana", lambda s: "does not answer" in s, "why the move was refused", 5)
        self.step("ana", "e while the server is away")
        ana.term.press("e")
        time.sleep(1)
        screen = ana.term.screen()
        self._toasts(screen)
        if "Edit #" in screen or "socket" in screen:
            self.disagree("ana's e while the server is away: a form, or the driver's text", screen)
        done = self.shell("ben", "log", "15m", "meetings", "during the outage", expect_ok=False)
        lines = done.stderr.strip().splitlines()
        if done.returncode != 1 or len(lines) != 1 or "cannot reach the server" not in lines[0]:
            self.disagree(f"the shell during the outage: exit {done.returncode}, {done.stderr!r}")
        self.step("admin", "pg_ctl start (the server is back)")
        self.server.start()
        self.wait_screen("ana", lambda s: "reconnecting…" not in s, "the server back", 30)
        self.step("ben", "ctrl+s again (the form kept its text)")
        ben.term.press("C-s")
        if self.wait_screen("ben", lambda s: "Edit #" not in s, "the board again", OWN_CHANGE):
            truth = self.boards_agree("the server's return and ben's save", OUTSIDE_CHANGE)
            if not any(i["title"].endswith("(offline)") for i in truth.items):
                self.disagree("ben's title typed during the outage was not saved after it")
        self.wait_screen("ben", lambda s: "reconnecting…" not in s, "the server back", 30)

    def day(self, number: int, day: date, restart: bool) -> None:
        """One working day of the sprint."""
        print(f"\n==== {day:%A %d %B} ====", flush=True)
        ana, ben = self.people["ana"], self.people["ben"]
        if number > 1:  # new work comes in: there is always a card to move
            ana.now = datetime.combine(day, datetime.min.time(), TZ).replace(hour=8)
            self.shell("ana", "add", "story", f"Request from day {number}", "--points", "3")
        self.morning(day)
        moved = self.key_move("ana")
        self.shell("ben", "log", "30m", "meetings", f"standup day {number}")
        self.logged("ben", 30)
        if moved is not None:
            self.shell("ben", "move", str(moved), "review")
            self.boards_agree("ben's tpm move", OUTSIDE_CHANGE)
        ben.now = ben.now.replace(hour=10)
        self.shell("ben", "start", "tooling", "pairing")
        self.boards_agree("ben's timer", TIMER_CHANGE, timers=True)
        self.key_move("ben")
        if number % 2 == 0:
            self.form_edit("ana", f" v{number}")
        else:
            self.shell("ana", "edit", str(moved or 2), "--points", str(number % 8 + 1))
            self.boards_agree("ana's tpm edit", OUTSIDE_CHANGE)
        if restart:
            self.restart()
        ben.now = ben.now.replace(hour=11)
        self.shell("ben", "stop")
        self.logged("ben", 60)
        self.boards_agree("ben's timer stopped", TIMER_CHANGE, timers=True)
        ana.now = ana.now.replace(hour=17)
        self.shell("ana", "log", "1h", "deliverables", f"PRD day {number}")
        self.logged("ana", 60)
        self.hours_stay_theirs()

    def close(self) -> None:
        """End both tmux servers."""
        for person in self.people.values():
            person.term.close()


def run(days: int, restart_on: int, size: tuple[int, int]) -> int:
    """The trial; 1 when a disagreement was found."""
    from tests.postgres import start_server

    os.environ.setdefault("TPM_TEST_POSTGRES", "")
    server = start_server()
    trial = Trial(server, size)
    started = time.monotonic()
    try:
        trial.seed()
        for number, day in enumerate(working_days(days), start=1):
            trial.day(number, day, restart=number == restart_on)
        team = trial.people["ana"].tpm("report", "--team")
        print("\n---- tpm report --team (ana's shell) ----\n" + team.stdout.rstrip())
    finally:
        trial.close()
        server.stop()
        shutil.rmtree(server.socket_dir, ignore_errors=True)
    print(f"\n{trial.steps} steps in {time.monotonic() - started:.0f} s;", end=" ")
    print(f"{len(trial.disagreements)} disagreements")
    for what in trial.disagreements:
        print(f"  - {what}")
    print("messages seen:")
    for text in trial.messages:
        print(f"  - {text}")
    return 1 if trial.disagreements else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and run the trial."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=10, help="working days (10: the sprint)")
    parser.add_argument("--restart-on", type=int, default=4, help="the day the server restarts")
    parser.add_argument("--size", default="120x40")
    options = parser.parse_args(argv)
    width, height = (int(x) for x in options.size.split("x"))
    return run(options.days, options.restart_on, (width, height))


if __name__ == "__main__":
    sys.exit(main())
