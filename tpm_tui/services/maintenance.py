"""Keeping the data trustworthy: `tpm doctor` checks (read-only, without migrating
anything) and restoring a backup (after backing up the current state)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tpm_tui.config import Location
from tpm_tui.db import HEAD_REVISION as HEAD
from tpm_tui.db import known_revisions
from tpm_tui.errors import InvalidInput, StorageError


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: `ok` True, False (something is wrong) or None
    (for information)."""

    name: str
    ok: bool | None
    detail: str
    advice: str = ""


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))[2:]


def _private(path: Path, folder: bool) -> bool:
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode & 0o077 == 0 if folder else mode & 0o177 == 0


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def _backups(location: Location) -> list[Path]:
    folder = location.backup_dir
    if folder is None or not folder.is_dir():
        return []
    return sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)


def diagnose(location: Location) -> list[Check]:
    """Everything `tpm doctor` reports, in order. Reads only."""
    checks: list[Check] = []
    path = location.path
    if path is None:
        return [
            Check(
                "database",
                None,
                f"{location.label} (a server database: checks are for SQLite files)",
            )
        ]
    if not path.exists():
        return [Check("database", None, f"{path} does not exist yet", "any tpm command creates it")]
    size = path.stat().st_size
    checks.append(
        Check("database", None, f"{path} ({size / 1024:.0f} KiB, chosen by {location.source})")
    )
    checks += _permissions(path)
    try:
        conn = _connect_ro(path)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as error:
        return [
            *checks,
            Check("open", False, f"cannot read it: {error}", _restore_advice(location)),
            *_backup_checks(location),
        ]
    try:
        checks += _schema_checks(conn, tables, known_revisions(), _restore_advice(location))
        checks += _content_checks(conn, tables)
    finally:
        conn.close()
    checks += _backup_checks(location)
    return checks


def _permissions(path: Path) -> list[Check]:
    problems = []
    if not _private(path.parent, folder=True):
        problems.append(f"folder {path.parent} is {_mode(path.parent)}")
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and not _private(candidate, folder=False):
            problems.append(f"{candidate.name} is {_mode(candidate)}")
    if problems:
        return [
            Check(
                "permissions",
                False,
                "; ".join(problems),
                f"chmod 700 {path.parent} && chmod 600 {path}*",
            )
        ]
    return [Check("permissions", True, f"folder {_mode(path.parent)}, database {_mode(path)}")]


def _schema_checks(
    conn: sqlite3.Connection, tables: set[str], known: set[str], restore: str
) -> list[Check]:
    checks: list[Check] = []
    if "alembic_version" not in tables:
        if tables:
            return [Check("schema", False, "this is not a tpm database", "pass another --db")]
        return [Check("schema", None, "empty: tpm creates its tables on first use")]
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = row[0] if row else "none"
    if revision == HEAD:
        checks.append(Check("schema", True, f"revision {revision} (current)"))
    elif revision in known:
        note = f"revision {revision}, older than {HEAD}: the next tpm command upgrades it"
        checks.append(Check("schema", None, note + " after a backup"))
    else:
        checks.append(
            Check(
                "schema",
                False,
                f"revision {revision} is unknown to this tpm (knows up to {HEAD})",
                "upgrade tpm",
            )
        )
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    checks.append(Check("journal", journal == "wal" or None, f"{journal}"))
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if integrity == ["ok"]:
        checks.append(Check("integrity", True, "ok"))
    else:
        checks.append(
            Check(
                "integrity",
                False,
                "; ".join(integrity[:3]),
                restore,
            )
        )
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    checks.append(
        Check("references", True, "ok")
        if not broken
        else Check("references", False, f"{len(broken)} broken references", restore)
    )
    return checks


def _content_checks(conn: sqlite3.Connection, tables: set[str]) -> list[Check]:
    if "work_item" not in tables:
        return []
    items, archived = conn.execute("SELECT count(*), count(archived_at) FROM work_item").fetchone()
    entries = conn.execute("SELECT count(*) FROM time_entry").fetchone()[0]
    sprints = conn.execute("SELECT count(*) FROM sprint").fetchone()[0]
    checks = [
        Check(
            "contents",
            None,
            f"{items} items ({archived} archived), {entries} time entries, {sprints} sprints",
        )
    ]
    running = conn.execute(
        "SELECT category, note, started_at FROM time_entry WHERE ended_at IS NULL"
    ).fetchone()
    if running:
        category, note, started = running
        since = datetime.fromisoformat(started).replace(tzinfo=UTC).astimezone()
        label = f"{category}" + (f" · {note}" if note else "")
        checks.append(Check("timer", None, f"running: {label} since {since:%a %d %b %H:%M}"))
    else:
        checks.append(Check("timer", None, "none running"))
    if "setting" in tables:
        settings = dict(conn.execute("SELECT key, value FROM setting").fetchall())
        shown = ", ".join(f"{k} {v}" for k, v in settings.items()) or "defaults"
        checks.append(
            Check("settings", None, f"{shown} (stored in the database; tpm config changes them)")
        )
    return checks


def _restore_advice(location: Location) -> str:
    backups = _backups(location)
    if backups:
        return f"restore the newest backup: tpm restore {backups[0]}"
    return "restore a backup you have (tpm restore FILE), or an export (tpm import FILE --replace)"


def _backup_checks(location: Location) -> list[Check]:
    backups = _backups(location)
    folder = location.backup_dir
    if not backups:
        return [Check("backups", None, f"none yet in {folder} (tpm backup makes one)")]
    newest = ", ".join(
        f"{p.name} ({datetime.fromtimestamp(p.stat().st_mtime):%d %b %H:%M})" for p in backups[:3]
    )
    return [Check("backups", None, f"{len(backups)} in {folder}; newest: {newest}")]


def check_backup(backup: Path) -> str:
    """Refuse a file that is not a sound tpm database this tpm can read; return its revision."""
    if not backup.is_file():
        raise InvalidInput(f"{backup}: no such file")
    try:
        conn = _connect_ro(backup)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise InvalidInput(f"{backup}: not a tpm backup ({error})") from None
    revision = row[0] if row else None
    if revision not in known_revisions():
        raise InvalidInput(
            f"{backup}: schema {revision} is unknown to this tpm (knows up to {HEAD})"
        )
    if integrity != "ok":
        raise InvalidInput(f"{backup}: the backup itself is damaged ({integrity})")
    return str(revision)


def restore_into(path: Path, backup: Path) -> None:
    """Put a backup in place of the database. A readable database is overwritten with
    SQLite's backup API (one transaction, under its lock, so an open TUI sees the old
    or the new state, never half); a damaged one is replaced by a fresh copy."""
    source = _connect_ro(backup)
    try:
        if _readable(path):
            target = sqlite3.connect(path, timeout=30)
            try:
                source.backup(target)
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                target.close()
        else:
            fresh = path.with_name(f".{path.name}.restoring")
            fresh.unlink(missing_ok=True)
            copy = sqlite3.connect(fresh)
            try:
                source.backup(copy)
            finally:
                copy.close()
            os.chmod(fresh, 0o600)
            for sidecar in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                sidecar.unlink(missing_ok=True)
            os.replace(fresh, path)
    except sqlite3.Error as error:
        raise StorageError(f"{path}: restore failed, nothing changed ({error})") from error
    finally:
        source.close()
    os.chmod(path, 0o600)


def _readable(path: Path) -> bool:
    try:
        conn = _connect_ro(path)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def set_aside(path: Path, folder: Path) -> Path:
    """Copy a database that cannot be opened (and its -wal) into `folder` as it is,
    before it is replaced; returns the copy's path."""
    from tpm_tui.config import make_private_dir

    make_private_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.stem}-{stamp}-damaged.db"
    shutil.copy2(path, target)
    wal = Path(f"{path}-wal")
    if wal.exists():
        shutil.copy2(wal, Path(f"{target}-wal"))
    os.chmod(target, 0o600)
    return target
