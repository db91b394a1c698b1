"""The real `tpm` program: exit codes, what it imports, and two writers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import NOW, run_tpm

ROOT = Path(__file__).resolve().parents[2]


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    ok = run_tpm("log", "30m", "meetings", "standup", db_path=db)
    assert ok.returncode == 0 and ok.stderr == ""
    for args in (
        ["log", "30x", "meetings"],
        ["log"],
        ["move", "5", "done"],
        ["report", "--week", "x"],
    ):
        bad = run_tpm(*args, db_path=db)
        assert bad.returncode == 2, (args, bad.stderr)
        assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"\x00\x01 not sqlite " * 400)
    broken = run_tpm("status", db_path=notes)
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"tpm: {notes}:") and broken.stderr.count("\n") == 1
    assert notes.read_bytes() == b"\x00\x01 not sqlite " * 400


def test_quick_commands_import_neither_textual_nor_alembic(tmp_path: Path) -> None:
    """`tpm log`, `tpm report` and `tpm status` on an existing database load neither
    Textual (the TUI) nor Alembic (only needed to migrate)."""
    db = tmp_path / "tpm.db"
    assert run_tpm("log", "5m", "tooling", db_path=db).returncode == 0  # creates and migrates
    probe = (
        "import sys\n"
        "from tpm_tui.cli import cli\n"
        "for args in (['log', '30m', 'm', 'x'], ['report', '--format', 'json'], ['status']):\n"
        "    assert cli.main(args, standalone_mode=False) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'alembic', 'rich'}))\n"
    )
    env = {**os.environ, "TPM_DB": str(db), "TPM_NOW": NOW.isoformat()}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_nothing_below_the_screens_imports_textual() -> None:
    """The headless core (cli, config, db, models, services, parsers) never loads Textual."""
    modules = [
        "tpm_tui." + ".".join(p.relative_to(ROOT / "tpm_tui").with_suffix("").parts)
        for p in (ROOT / "tpm_tui").rglob("*.py")
        if not {"screens", "widgets", "migrations"} & set(p.parts)
        and p.name not in ("app.py", "__main__.py")
    ]
    probe = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert len(modules) >= 10
    assert out.stdout.strip() == "False"


def test_two_processes_logging_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two shells each running `tpm log` in a loop: every write lands, none fails."""
    db = tmp_path / "tpm.db"
    assert run_tpm("status", db_path=db).returncode == 0
    env = {**os.environ, "TPM_DB": str(db), "TPM_NOW": NOW.isoformat()}
    per_process = 20
    loop = (
        "for i in $(seq {n}); do "
        "{py} -m tpm_tui log 1m {cat} writer-{w}-$i >/dev/null || echo FAILED $i; done"
    )
    procs = [
        subprocess.Popen(
            ["bash", "-c", loop.format(n=per_process, py=sys.executable, cat=cat, w=w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w, cat in ((1, "meetings"), (2, "tooling"))
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all("FAILED" not in out and "locked" not in err for out, err in outputs), outputs
    report = json.loads(run_tpm("report", "--format", "json", db_path=db).stdout)
    assert report["categories"]["meetings"]["minutes"] == per_process
    assert report["categories"]["tooling"]["minutes"] == per_process
    import sqlite3

    conn = sqlite3.connect(db)
    notes = {row[0] for row in conn.execute("SELECT note FROM time_entry")}
    conn.close()
    assert notes == {f"writer-{w}-{i}" for w in (1, 2) for i in range(1, per_process + 1)}


def test_a_corrupt_database_exits_1_naming_the_file_and_is_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("log", "30m", "meetings", db_path=db).returncode == 0
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(db.read_bytes())
    for offset in range(page_size, len(raw)):  # every page but the first: garbage
        raw[offset] = (offset * 7919) % 251
    db.write_bytes(bytes(raw))
    for args in (["report"], ["log", "5m", "tooling"], ["list"]):
        result = run_tpm(*args, db_path=db)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith(f"tpm: {db}: ") and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1
    assert db.read_bytes() == bytes(raw)
