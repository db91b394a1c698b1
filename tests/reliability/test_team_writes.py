"""Shell writers on one PostgreSQL database: five at once (five people) lose nothing
they were told was written while two people's boards are open on it, and both boards
show what the database holds 2 s after the last write; a server stopped and started
under a writer is said in one line, then used again once it is back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import NOW
from tests.e2e.week_in_tmux import Cell, Terminal, Truth, board_problems, parse_board
from tests.postgres import Server, start_server
from tests.reliability.figures import record

# Runs CLI calls one after another in one interpreter (as many shells would, without
# paying Python's start-up for each), closing the database after each as a process's
# exit does; prints one JSON line per call: the call, its exit code, stdout, stderr and
# when it was answered (time.monotonic, the same clock in every process). The clock
# moves a minute per call, so a timer started runs a minute before it is stopped.
WRITER = """
import contextlib, io, json, os, sys, time
from datetime import datetime, timedelta
from tpm_tui import cli as tpm

calls = json.loads(sys.argv[1])
pause = float(sys.argv[2])
start = datetime.fromisoformat(os.environ["TPM_NOW"])
made = {}
for number, call in enumerate(calls):
    os.environ["TPM_NOW"] = (start + timedelta(minutes=number)).isoformat()
    args = [made.get(a, a) for a in call]  # "@last" is the id this writer added last
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = tpm.cli.main(args, standalone_mode=False)
    env = tpm._current_env()
    if env is not None and env._db is not None:
        env._db.close()
    text = out.getvalue()
    if call[0] == "add" and code == 0:
        made["@last"] = text.split("#", 1)[1].split()[0]
    print(json.dumps([args, code, text, err.getvalue(), time.monotonic()]), flush=True)
    time.sleep(pause)
"""

STATUSES = ["todo", "in_progress", "review", "done", "backlog"]


def _env(url: str, person: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": url, "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"})
    if person:
        env["TPM_USER"] = person
    return env


def _writer(
    url: str, calls: list[list[str]], pause: float = 0.0, person: str = ""
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, json.dumps(calls), str(pause)],
        env=_env(url, person),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


Done = tuple[list[str], int, str, str, float]  # the call, exit code, out, err, answered at


def _results(writer: subprocess.Popen[str]) -> list[Done]:
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err[-2000:]
    return [tuple(json.loads(line)) for line in out.splitlines()]


def _calls(name: str, count: int) -> list[list[str]]:
    """Adds, logs, moves, edits, timer starts and stops, in turn; moves and edits touch
    the writer's own newest item, so the last acknowledged one of each must be what the
    database holds, and every timer started is stopped a minute later."""
    calls: list[list[str]] = []
    for i in range(count):
        step = i % 6
        if step == 0:
            calls.append(["add", "story", f"{name}-item-{i}"])
        elif step == 1:
            calls.append(["log", "1m", "meetings", f"{name}-log-{i}"])
        elif step == 2:
            calls.append(["move", "@last", STATUSES[(i // 6) % len(STATUSES)]])
        elif step == 3:
            calls.append(["edit", "@last", "--points", str(i % 13 + 1)])
        elif step == 4:
            calls.append(["start", "tooling", f"{name}-timer-{i}"])
        else:
            calls.append(["stop"])
    return calls


BOARD_SIZE = (200, 60)
STARTUP = 90.0  # seconds a board may take to open on a loaded machine
FOLLOW = 2.0  # seconds after the last write by which both boards show the database


@pytest.fixture
def boards(pg_server: Server) -> Iterator[tuple[str, list[Terminal]]]:
    """A fresh database, and two people's real `tpm` boards on it in tmux (ana, ben)."""
    database = pg_server.fresh_database()
    url = pg_server.url(database)
    base = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    opened: list[Terminal] = []
    try:
        for person in ("ana", "ben"):
            env = {**base, "TPM_DB": url, "TPM_USER": person, "TZ": "Europe/Berlin"}
            env |= {"TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
            terminal = Terminal(BOARD_SIZE, env)
            terminal.server = f"team-writes-{os.getpid()}-{person}"
            terminal.open([], NOW)
            opened.append(terminal)
        for terminal, person in zip(opened, ("ana", "ben"), strict=True):
            terminal.wait_for(f"as {person}", timeout=STARTUP)
            terminal.wait_for("No work items yet", timeout=STARTUP)
        yield database, opened
    finally:
        for terminal in opened:
            terminal.close()


def _board_problems(cells: list[list[Cell]], truth: Truth, width: int) -> list[str]:
    """Where a captured board differs from the database: its columns, their counts, the
    cards it shows and their order, the status line (week_in_tmux's reading of a
    board)."""
    names = {c["key"]: c["name"] for c in truth.columns}
    try:
        shot = parse_board(cells, names, width)
    except ValueError as error:
        return [f"the board cannot be read: {error}"]
    return board_problems(shot, truth, NOW.date())


def _truth(url: str) -> Truth:
    """What the database holds, as `tpm list --all --format json` and `tpm export` say."""
    env = _env(url)
    listed = subprocess.run(
        [sys.executable, "-m", "tpm_tui", "list", "--all", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    exported = subprocess.run(
        [sys.executable, "-m", "tpm_tui", "export"], env=env, capture_output=True, check=True
    )
    data = json.loads(exported.stdout)
    columns = sorted(data["columns"], key=lambda c: c["position"])
    return Truth(columns, data["sprints"], json.loads(listed.stdout))


def test_five_shells_writing_at_once_lose_nothing_acknowledged(
    pg_server: Server, boards: tuple[str, list[Terminal]]
) -> None:
    """Five people's shells, 100 writes each, while two boards are open: every write
    that was acknowledged is in the database, and both boards show what it holds at
    most 2 s after the last one."""
    database, terminals = boards
    url = pg_server.url(database)
    names = [f"w{n}" for n in range(5)]
    started = time.monotonic()
    writers = [_writer(url, _calls(name, 100), person=name) for name in names]
    results = [_results(w) for w in writers]
    elapsed = time.monotonic() - started
    last_write = max(answered for done in results for *_rest, answered in done)

    # Both screens, captured from the last acknowledged write until 2 s after it, then
    # compared with what the database holds (it no longer changes): the last capture
    # must agree, and the figure is from when each board agreed for good.
    # The panes' real widths (under a heavy load tmux once came up at its 80x24).
    widths = [
        int(t._tmux("display-message", "-p", "-t", "week", "#{pane_width}")) for t in terminals
    ]
    captures: list[list[tuple[float, str, list[list[Cell]]]]] = [[] for _ in terminals]
    while True:
        for terminal, shots in zip(terminals, captures, strict=True):
            shots.append((time.monotonic(), *terminal.styled()))
        if time.monotonic() - last_write > FOLLOW:
            break
        time.sleep(0.05)
    truth = _truth(url)
    follow: list[float] = []
    for terminal, shots, width in zip(terminals, captures, widths, strict=True):
        agreed_at = None
        for taken, _text, cells in shots:
            problems = _board_problems(cells, truth, width)
            agreed_at = (agreed_at or taken) if not problems else None
        text = shots[-1][1]
        assert not problems, (
            f"{terminal.server} 2 s after the last write:\n"
            + "\n".join(problems)
            + "\n"
            + text
            + "\n---- the database ----\n"
            + truth.describe_board()
        )
        assert agreed_at is not None
        follow.append(max(0.0, agreed_at - last_write))

    acknowledged = 0
    for name, done in zip(names, results, strict=True):
        assert len(done) == 100
        expected_status: dict[str, str] = {}
        expected_points: dict[str, str] = {}
        for args, code, _out, err, _answered in done:
            assert code == 0, (args, err)  # nobody waits long enough to be refused
            acknowledged += 1
            if args[0] == "add":
                title = args[2]
                found = pg_server.psql(
                    f"SELECT count(*) FROM work_item WHERE title = '{title}'", database
                )
                assert found == "1\n", title
            elif args[0] == "log":
                found = pg_server.psql(
                    f"SELECT count(*) FROM time_entry WHERE note = '{args[3]}'", database
                )
                assert found == "1\n", args
            elif args[0] == "start":
                found = pg_server.psql(
                    f"SELECT count(*) FROM time_entry WHERE note = '{args[2]}'"
                    f" AND person = '{name}' AND ended_at IS NOT NULL",  # and stopped since
                    database,
                )
                assert found == "1\n", args
            elif args[0] == "move":
                expected_status[args[1]] = args[2]
            elif args[0] == "edit":
                expected_points[args[1]] = args[3]
        for item, status in expected_status.items():
            held = pg_server.psql(f"SELECT status FROM work_item WHERE id = {item}", database)
            assert held == f"{status}\n", (name, item)
        for item, points in expected_points.items():
            held = pg_server.psql(f"SELECT points FROM work_item WHERE id = {item}", database)
            assert held == f"{points}\n", (name, item)
    items = pg_server.psql("SELECT count(*) FROM work_item", database)
    entries = pg_server.psql("SELECT count(*) FROM time_entry", database)
    running = pg_server.psql("SELECT count(*) FROM time_entry WHERE ended_at IS NULL", database)
    assert (items, entries, running) == ("85\n", "165\n", "0\n")
    record(
        "team writes (PostgreSQL)",
        f"{acknowledged}/500 CLI writes from 5 people acknowledged, all present (85 items,"
        f" 165 entries, last move and edit of each item held, every timer stopped) in"
        f" {elapsed:.1f} s; two open boards equal to the database"
        f" {max(follow):.1f} s after the last write",
    )


@pytest.fixture
def own_server() -> Iterator[Server]:
    """A server of this test's own, to stop and start (the shared one serves others)."""
    server = start_server()
    yield server
    server.stop()
    import shutil

    shutil.rmtree(server.socket_dir, ignore_errors=True)


def test_a_server_restart_mid_run_is_said_then_survived(own_server: Server) -> None:
    """A shell logging every 50 ms while the server stops for two seconds and starts
    again: the calls during the outage exit 1 with one line naming the server (no
    traceback, no password), the calls after it work, and every acknowledged entry is
    there."""
    database = own_server.fresh_database()
    url = own_server.url(database, user="tpm:pw-not-shown")
    calls = [["log", "1m", "tooling", f"r-{i}"] for i in range(200)]
    writer = _writer(url, calls, pause=0.05)
    lines: list[str] = []
    assert writer.stdout is not None
    while len(lines) < 20:  # well under way before the stop
        lines.append(writer.stdout.readline())
    own_server.stop()
    time.sleep(2)
    own_server.start()
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err[-2000:]
    done = [json.loads(line) for line in [*lines, *out.splitlines()] if line.strip()]
    assert len(done) == 200

    codes = [code for _args, code, *_rest in done]
    failed = [(args, err) for args, code, _out, err, _answered in done if code != 0]
    assert failed, "the outage was seen by some call"
    for _args, message in failed:
        assert message.count("\n") == 1 and message.startswith("tpm: "), message
        assert "cannot reach the server" in message and database in message, message
        assert "pw-not-shown" not in message and "Traceback" not in message
    first_failure = codes.index(1)
    recovered = [c for c in codes[first_failure:] if c == 0]
    assert recovered and codes[-20:] == [0] * 20, codes
    stored = set(own_server.psql("SELECT note FROM time_entry", database).split())
    acknowledged = {args[3] for args, code, *_rest in done if code == 0}
    assert acknowledged <= stored
    assert stored <= {args[3] for args, *_rest in done}
    record(
        "server restart (PostgreSQL)",
        f"{len(failed)} of 200 calls met the outage, each one line naming the server; "
        f"{len(acknowledged)} acknowledged entries all present; the last 20 calls worked",
    )
