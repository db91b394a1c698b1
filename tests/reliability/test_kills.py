"""kill -9 at random moments: in a stream of `tpm log` calls and in a long import.
Afterwards the database is intact, every acknowledged write is there, and an import
is all or nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import NOW, run_tpm
from tests.reliability.figures import record

ROUNDS = int(os.environ.get("TPM_KILL_ROUNDS", "10"))


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    return {**env, "TPM_DB": str(db), "TPM_NOW": NOW.isoformat(), "TZ": "Europe/Berlin"}


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_kill_9_in_a_stream_of_tpm_log(tmp_path: Path) -> None:
    db = tmp_path / "tpm.db"
    assert run_tpm("status", db_path=db).returncode == 0
    rng = random.Random(2026)
    acknowledged: set[str] = set()
    kills = 0
    for round_no in range(ROUNDS):
        ack_file = tmp_path / f"acks-{round_no}.txt"
        loop = (
            f"for i in $(seq 1 50); do {sys.executable} -m tpm_tui log 1m meetings r{round_no}-$i "
            f">/dev/null 2>&1 && echo r{round_no}-$i >> {ack_file}; done"
        )
        proc = subprocess.Popen(["bash", "-c", loop], env=_env(db), start_new_session=True)
        time.sleep(rng.uniform(0.5, 3.0))
        os.killpg(proc.pid, signal.SIGKILL)  # the shell and the tpm it is running
        proc.wait()
        kills += 1
        assert _integrity(db) == "ok"
        if ack_file.exists():
            acknowledged |= set(ack_file.read_text().split())
    conn = sqlite3.connect(db)
    found = {row[0] for row in conn.execute("SELECT note FROM time_entry")}
    conn.close()
    assert acknowledged <= found
    assert run_tpm("doctor", db_path=db).returncode == 0
    record("kill -9 during tpm log", f"{kills}/{kills} kills survived (integrity ok each time)")
    record(
        "acknowledged writes",
        f"{len(acknowledged & found)}/{len(acknowledged)} found ({len(found)} rows in all)",
    )


def _big_export(tmp_path: Path, entries: int) -> Path:
    source = tmp_path / "source.db"
    run_tpm("add", "epic", "Epic", db_path=source)
    data = json.loads(run_tpm("export", db_path=source).stdout)
    start = 1_700_000_000
    data["time_entries"] = [
        {
            "id": i + 1,
            "category": ("meetings", "tooling", "deliverables")[i % 3],
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 3600)),
            "ended_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 3600 + 1800)),
            "note": f"entry {i}",
            "item_id": 1,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 3600 + 1800)),
        }
        for i in range(entries)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    return path


def test_kill_9_in_a_long_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    entries = 30_000
    big = _big_export(tmp_path, entries)
    rng = random.Random(48)
    outcomes = {"nothing": 0, "complete": 0}
    for round_no in range(ROUNDS):
        db = tmp_path / f"import-{round_no}.db"
        assert run_tpm("status", db_path=db).returncode == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", "import", str(big)],
            env=_env(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _integrity(db) == "ok"
        conn = sqlite3.connect(db)
        items, rows = (
            conn.execute("SELECT count(*) FROM work_item").fetchone()[0],
            conn.execute("SELECT count(*) FROM time_entry").fetchone()[0],
        )
        conn.close()
        assert (items, rows) in ((0, 0), (1, entries)), (items, rows)
        outcomes["complete" if rows else "nothing"] += 1
    record(
        "kill -9 during import",
        f"{ROUNDS}/{ROUNDS} survived: {outcomes['nothing']} left nothing, "
        f"{outcomes['complete']} finished first; never half-imported",
    )
