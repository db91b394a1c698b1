"""Shell writers on one PostgreSQL database: five at once lose nothing they were told
was written, and a server stopped and started under a writer is said in one line, then
used again once it is back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import NOW
from tests.postgres import Server, start_server
from tests.reliability.figures import record

# Runs CLI calls one after another in one interpreter (as many shells would, without
# paying Python's start-up for each), closing the database after each as a process's
# exit does; prints one JSON line per call: the call, its exit code, stdout, stderr.
WRITER = """
import contextlib, io, json, sys, time
from tpm_tui import cli as tpm

calls = json.loads(sys.argv[1])
pause = float(sys.argv[2])
made = {}
for call in calls:
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
    print(json.dumps([args, code, text, err.getvalue()]), flush=True)
    time.sleep(pause)
"""

STATUSES = ["todo", "in_progress", "review", "done", "backlog"]


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env.update({"TPM_DB": url, "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"})
    return env


def _writer(url: str, calls: list[list[str]], pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, json.dumps(calls), str(pause)],
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _results(writer: subprocess.Popen[str]) -> list[tuple[list[str], int, str, str]]:
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err[-2000:]
    return [tuple(json.loads(line)) for line in out.splitlines()]


def _calls(name: str, count: int) -> list[list[str]]:
    """Adds, logs, moves and edits, in turn; moves and edits touch the writer's own
    newest item, so the last acknowledged one of each must be what the database holds."""
    calls: list[list[str]] = []
    for i in range(count):
        step = i % 4
        if step == 0:
            calls.append(["add", "story", f"{name}-item-{i}"])
        elif step == 1:
            calls.append(["log", "1m", "meetings", f"{name}-log-{i}"])
        elif step == 2:
            calls.append(["move", "@last", STATUSES[(i // 4) % len(STATUSES)]])
        else:
            calls.append(["edit", "@last", "--points", str(i % 13 + 1)])
    return calls


def test_five_shells_writing_at_once_lose_nothing_acknowledged(pg_server: Server) -> None:
    database = pg_server.fresh_database()
    url = pg_server.url(database)
    names = [f"w{n}" for n in range(5)]
    started = time.monotonic()
    writers = [_writer(url, _calls(name, 100)) for name in names]
    results = [_results(w) for w in writers]
    elapsed = time.monotonic() - started

    acknowledged = 0
    for name, done in zip(names, results, strict=True):
        assert len(done) == 100
        expected_status: dict[str, str] = {}
        expected_points: dict[str, str] = {}
        for args, code, _out, err in done:
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
            elif args[0] == "move":
                expected_status[args[1]] = args[2]
            else:
                expected_points[args[1]] = args[3]
        for item, status in expected_status.items():
            held = pg_server.psql(f"SELECT status FROM work_item WHERE id = {item}", database)
            assert held == f"{status}\n", (name, item)
        for item, points in expected_points.items():
            held = pg_server.psql(f"SELECT points FROM work_item WHERE id = {item}", database)
            assert held == f"{points}\n", (name, item)
    items = pg_server.psql("SELECT count(*) FROM work_item", database)
    entries = pg_server.psql("SELECT count(*) FROM time_entry", database)
    assert (items, entries) == ("125\n", "125\n")
    record(
        "team writes (PostgreSQL)",
        f"{acknowledged}/500 CLI writes from 5 processes acknowledged, all present "
        f"(125 items, 125 entries, last move and edit of each item held) in {elapsed:.1f} s",
    )


@pytest.fixture
def own_server() -> Iterator[Server]:
    """A server of this test's own, to stop and start (the shared one serves others)."""
    server = start_server()
    yield server
    server.stop()
    import shutil

    shutil.rmtree(server.socket_dir, ignore_errors=True)


def _pg_ctl(server: Server, *args: str) -> None:
    subprocess.run(
        [
            *server.as_user,
            str(server.bin_dir / "pg_ctl"),
            "-D",
            str(server.socket_dir / "data"),
            *args,
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )


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
    _pg_ctl(own_server, "-m", "fast", "-w", "stop")
    time.sleep(2)
    options = f"-k {own_server.socket_dir} -p {own_server.port} -c listen_addresses=''"
    _pg_ctl(own_server, "-o", options, "-l", str(own_server.socket_dir / "log"), "-w", "start")
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err[-2000:]
    done = [json.loads(line) for line in [*lines, *out.splitlines()] if line.strip()]
    assert len(done) == 200

    codes = [code for _args, code, _out, _err in done]
    failed = [(args, err) for args, code, _out, err in done if code != 0]
    assert failed, "the outage was seen by some call"
    for _args, message in failed:
        assert message.count("\n") == 1 and message.startswith("tpm: "), message
        assert "cannot reach the server" in message and database in message, message
        assert "pw-not-shown" not in message and "Traceback" not in message
    first_failure = codes.index(1)
    recovered = [c for c in codes[first_failure:] if c == 0]
    assert recovered and codes[-20:] == [0] * 20, codes
    stored = set(own_server.psql("SELECT note FROM time_entry", database).split())
    acknowledged = {args[3] for args, code, _out, _err in done if code == 0}
    assert acknowledged <= stored
    assert stored <= {args[3] for args, *_rest in done}
    record(
        "server restart (PostgreSQL)",
        f"{len(failed)} of 200 calls met the outage, each one line naming the server; "
        f"{len(acknowledged)} acknowledged entries all present; the last 20 calls worked",
    )
