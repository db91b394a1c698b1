"""`tpm status --short`: one line for a shell prompt or a tmux status bar —
`● meetings 0:25 standup` while a timer runs, `○ 6h10m today` otherwise.

A prompt runs it every few seconds, so it takes a short way when it can: before the
command line is imported, straight to a local workspace at the current schema, running
the same compiled statements as `tpm status`. Anything else (a server, a workspace to
create or migrate, a file that is not tpm's, any error) goes the usual way, which says
what is wrong."""

from __future__ import annotations

import os
import sqlite3

from tpm_tui import where
from tpm_tui.schema import APPLICATION_ID, HEAD_REVISION
from tpm_tui.sql import EXECUTOR_ENV
from tpm_tui.timefmt import format_duration

TYPE_CHECKING = False  # not typing's: see tpm_tui/sql/executor.py
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_SQLITE_MAGIC = b"SQLite format 3\x00"
NOTE_WIDTH = 24


def render(category: str | None, minutes: int, note: str, today_minutes: int) -> str:
    """The line: a running timer's category, time (h:mm) and note, or today's total."""
    if category is None:
        return f"○ {format_duration(today_minutes)} today"
    hours, rest = divmod(minutes, 60)
    if len(note) > NOTE_WIDTH:
        note = note[: NOTE_WIDTH - 1] + "…"
    return f"● {category} {hours}:{rest:02d}" + (f" {note}" if note else "")


def quick(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The line, if `argv` is `[--db X] status --short` and the workspace is a local tpm
    file at the current schema; else None (the full command line takes over)."""
    args = list(argv)
    db_option = None
    if len(args) == 4 and args[0] == "--db":
        db_option, args = args[1], args[2:]
    elif len(args) == 3 and args[0].startswith("--db="):
        db_option, args = args[0][5:], args[1:]
    if args != ["status", "--short"] or environ.get(EXECUTOR_ENV, "").lower() == "sqlalchemy":
        return None
    try:
        path = where.plain_file(db_option, environ)
        if path is None or _application_id(path) != APPLICATION_ID:
            return None
        return _read(path, environ)
    except Exception:  # any trouble: the usual way reports it properly
        return None


def _application_id(path: str) -> int | None:
    """The application id in the file's SQLite header (read before any connection to
    it is open here, so no lock of this process can be dropped by closing the file)."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 72 or not header.startswith(_SQLITE_MAGIC):
        return None
    return int.from_bytes(header[68:72], "big")


def _read(path: str, environ: Mapping[str, str]) -> str | None:
    from tpm_tui.clock import clock_from_environment
    from tpm_tui.sql import compiled as q
    from tpm_tui.sql.executor import SqliteExecutor

    clock = clock_from_environment(environ)
    now = clock.now()
    start, end = clock.day_bounds(now.date())
    conn = sqlite3.connect(path, timeout=2, isolation_level=None)
    try:
        conn.execute("BEGIN")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != HEAD_REVISION:
            return None
        ex = SqliteExecutor(conn, {"person": "", "whose": None})  # a file: one person's
        running = ex.row(q.entry_running, now=now)
        rows = ex.rows(q.seconds_by_category_between, now=now, start=start, end=end)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    today = sum((int(seconds or 0) + 30) // 60 for _category, seconds in rows)
    if running is None:
        return render(None, 0, "", today)
    _id, category, _started, _ended, seconds, note, _item, _title = running
    return render(category, (int(seconds or 0) + 30) // 60, note, today)


def main() -> None:
    """The `tpm` program: the status line's short way when it applies, else the
    command line."""
    import sys

    line = quick(sys.argv[1:], os.environ)
    if line is not None:
        sys.stdout.write(line + "\n")
        return
    from tpm_tui.cli import main as cli_main

    cli_main()
