"""Storage under attack: `import --replace` against a stream of `tpm log`, several
processes upgrading one old database at once, kill -9 during `tpm backup`, and every
command pointed at files that are not tpm's (refused byte for byte)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import NOW, run_tpm
from tests.reliability.figures import record
from tests.unit.test_db_identity import FOREIGN, MEMORY
from tpm_tui import db as dbmod
from tpm_tui.cli import cli
from tpm_tui.db import backups_of
from tpm_tui.services.maintenance import check_backup

ROUNDS = int(os.environ.get("TPM_KILL_ROUNDS", "10"))
# Big enough that an import or a restore takes seconds, with `tpm log`s arriving meanwhile.
ENTRIES = 20_000


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    return {**env, "TPM_DB": str(db), "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"}


def _notes(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT note FROM time_entry")}
    finally:
        conn.close()


def _log_stream(name: str, acks: Path, stop: Path) -> str:
    """A shell loop of real `tpm log` processes, noting each acknowledged one."""
    return (
        f"i=0; while [ ! -e {stop} ]; do i=$((i+1)); "
        f"{sys.executable} -m tpm_tui log 1m meetings {name}-$i >/dev/null 2>>{acks}.err "
        f"&& echo {name}-$i >> {acks}; done"
    )


def _big_export(tmp_path: Path, entries: int) -> Path:
    source = tmp_path / "source.db"
    run_tpm("add", "epic", "Imported", db_path=source)
    data = json.loads(run_tpm("export", db_path=source).stdout)
    start = 1_700_000_000
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    data["time_entries"] = [
        {
            "id": i + 1,
            "category": "tooling",
            "started_at": time.strftime(stamp, time.gmtime(start + i * 3600)),
            "ended_at": time.strftime(stamp, time.gmtime(start + i * 3600 + 1800)),
            "note": f"imported {i}",
            "item_id": 1,
            "created_at": time.strftime(stamp, time.gmtime(start + i * 3600 + 1800)),
        }
        for i in range(entries)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    return path


def test_import_replace_loses_no_write_made_during_it(tmp_path: Path) -> None:
    """Every `tpm log` acknowledged while a large import --replace runs is in the result
    (it came after) or in the backup the import took (it came before)."""
    big = _big_export(tmp_path, ENTRIES)
    db = tmp_path / "tpm.db"
    assert run_tpm("log", "5m", "m", "before", db_path=db).returncode == 0
    stop = tmp_path / "stop"
    acks = [tmp_path / f"acks-{n}.txt" for n in range(2)]
    writers = [
        subprocess.Popen(
            ["bash", "-c", _log_stream(f"w{n}", acks[n], stop)],
            env=_env(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    try:
        time.sleep(4.0)
        started = time.monotonic()
        imported = subprocess.run(
            [sys.executable, "-m", "tpm_tui", "import", "--replace", str(big)],
            env=_env(db),
            capture_output=True,
            text=True,
            timeout=300,
        )
        took = time.monotonic() - started
        time.sleep(4.0)
    finally:
        stop.touch()
        errors = [w.communicate(timeout=60)[1] for w in writers]
    assert imported.returncode == 0, imported.stderr
    backup = Path(imported.stdout.rsplit("the previous workspace is in ", 1)[1].strip())
    acknowledged = set().union(*(a.read_text().split() for a in acks))
    result, before = _notes(db), _notes(backup)
    lost = acknowledged - result - before
    assert not lost, sorted(lost)[:10]
    assert len(result & {f"imported {i}" for i in range(ENTRIES)}) == ENTRIES
    assert acknowledged & before and acknowledged & result, "writes landed on both sides"
    for err in [*errors, *(Path(f"{a}.err").read_text() for a in acks)]:
        assert "Traceback" not in err
    record(
        "import --replace vs tpm log",
        f"{len(acknowledged)} acknowledged logs during a {took:.1f} s import of {ENTRIES:,} "
        f"entries: {len(acknowledged & before)} in the backup, "
        f"{len(acknowledged & result)} in the result, {len(lost)} lost",
    )


def test_restore_loses_no_write_made_during_it(tmp_path: Path) -> None:
    """The same for `tpm restore`: the current state is backed up inside the lock the
    restore holds, so a `tpm log` acknowledged meanwhile is in that backup or on top
    of the restored workspace."""
    big = _big_export(tmp_path, ENTRIES)
    source = tmp_path / "source-big.db"
    assert run_tpm("import", str(big), db_path=source).returncode == 0
    backup = Path(run_tpm("backup", db_path=source).stdout.strip())
    db = tmp_path / "tpm.db"
    assert run_tpm("import", str(big), db_path=db).returncode == 0  # a big current state
    stop = tmp_path / "stop"
    acks = [tmp_path / f"acks-{n}.txt" for n in range(2)]
    writers = [
        subprocess.Popen(
            ["bash", "-c", _log_stream(f"w{n}", acks[n], stop)],
            env=_env(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    rounds, lost_total, acked_total = 2, 0, 0
    try:
        time.sleep(3.0)
        previous: list[Path] = []
        for _ in range(rounds):
            restored = subprocess.run(
                [sys.executable, "-m", "tpm_tui", "restore", str(backup)],
                env=_env(db),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert restored.returncode == 0, restored.stderr
            previous.append(Path(restored.stdout.rsplit("the previous state is in ", 1)[1].strip()))
            time.sleep(2.0)
    finally:
        stop.touch()
        errors = [w.communicate(timeout=60)[1] for w in writers]
    acknowledged = set().union(*(a.read_text().split() for a in acks if a.exists()))
    seen = _notes(db).union(*(_notes(p) for p in previous))
    lost = acknowledged - seen
    lost_total, acked_total = len(lost), len(acknowledged)
    assert not lost, sorted(lost)[:10]
    for err in [*errors, *(Path(f"{a}.err").read_text() for a in acks)]:
        assert "Traceback" not in err
    record(
        "restore vs tpm log",
        f"{acked_total} acknowledged logs during {rounds} restores of a {ENTRIES:,}-entry "
        f"backup: {lost_total} lost",
    )


def _database_at_0001(path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.exec_driver_sql(
            "INSERT INTO work_item (id, kind, title, description, acceptance, status, rank,"
            " owner, created_at, updated_at) VALUES (1, 'epic', 'Old epic', '', '',"
            " 'backlog', 1, '', '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000')"
        )
    engine.dispose()


def test_several_processes_open_an_old_database_at_once(tmp_path: Path) -> None:
    """They upgrade it once, under the write lock, behind one backup; none fails."""
    tries = 0
    for round_no in range(max(2, ROUNDS // 3)):
        folder = tmp_path / f"round-{round_no}"
        folder.mkdir()
        db = folder / "tpm.db"
        _database_at_0001(db)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tpm_tui", "list"],
                env=_env(db),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            tries += 1
            assert proc.returncode == 0 and "Old epic" in out, err
        made = backups_of(db)
        assert len(made) == 1, made
        assert check_backup(made[0]) == "0001"
    record("old database opened at once", f"{tries}/{tries} processes fine, one backup each time")


def test_kill_9_during_backup_never_leaves_a_junk_backup(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    big = _big_export(tmp_path, 20_000)
    assert run_tpm("import", str(big), db_path=db).returncode == 0
    rng = random.Random(14)
    complete = 0
    for _ in range(ROUNDS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", "backup"],
            env=_env(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    for backup in backups_of(db):
        check_backup(backup)  # every file named like a backup is a sound one
        complete += 1
    assert run_tpm("doctor", db_path=db).returncode == 0
    record(
        "kill -9 during tpm backup",
        f"{ROUNDS} kills: {complete} finished backups, all sound; no junk named like a backup",
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _tpm_in_process(args: list[str], monkeypatch: pytest.MonkeyPatch, db: str | None) -> int:
    if db is None:
        monkeypatch.delenv("TPM_DB", raising=False)
    else:
        monkeypatch.setenv("TPM_DB", db)
    monkeypatch.setenv("TPM_NOW", NOW.isoformat())
    try:
        code = cli.main(args, standalone_mode=False)
    except SystemExit as exit_:  # doctor exits by itself with its verdict
        code = exit_.code
    return int(code or 0)


def test_refused_files_stay_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command, pointed at each kind of file that is not tpm's, is refused (exit 1)
    and leaves the folder exactly as it was; in-memory names are refused (exit 2) and
    make no file."""
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine.db"
    export = tmp_path / "export.json"
    assert _tpm_in_process(["export", str(export)], monkeypatch, str(mine)) == 0
    backup = Path(run_tpm("backup", db_path=mine).stdout.strip())
    commands = [
        ["log", "30m", "m"],
        ["start", "m"],
        ["add", "story", "x"],
        ["list"],
        ["status"],
        ["report"],
        ["export"],
        ["backup"],
        ["config", "week-target", "30h"],
        ["import", str(export)],
        ["import", str(export), "--replace"],
        ["restore", str(backup)],
        ["doctor"],
    ]
    tried = unchanged = 0
    changed: list[str] = []  # which file and command, said when the test fails
    for kind, make in FOREIGN.items():
        folder = tmp_path / kind.replace(" ", "-").replace("'", "")
        folder.mkdir()
        path = folder / "app.db"
        make(path)
        before = _state(folder)
        for args in commands:
            tried += 1
            code = _tpm_in_process(args, monkeypatch, str(path))
            assert code in (1, 2), (kind, args, code)
            if _state(folder) == before:
                unchanged += 1
            else:
                changed.append(f"{kind}: tpm {' '.join(args)}")
    top = _state(tmp_path)
    for value in MEMORY:
        for args in commands:
            tried += 1
            code = _tpm_in_process(args, monkeypatch, value)
            assert code == 2, (value, args, code)
            if _state(tmp_path) == top:  # no file made (nor changed) in the working folder
                unchanged += 1
            else:
                changed.append(f"{value}: tpm {' '.join(args)}")
    capsys.readouterr()
    record("refused files", f"{tried} tried, {unchanged} unchanged bytes")
    assert unchanged == tried, changed[:20]
