"""Keeping the data trustworthy: `tpm doctor` checks (read-only, without migrating
anything) and restoring a backup (after backing up the current state)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tpm_tui.config import Location, shown, write_private
from tpm_tui.db import (
    APPLICATION_ID,
    Database,
    backups_of,
    identify,
    known_revisions,
    open_readonly,
    read_header,
    snapshot,
    write_backup,
)
from tpm_tui.db import HEAD_REVISION as HEAD
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


def _real(path: Path) -> Path:
    """The file a link points to (the one SQLite opens), or the path itself."""
    try:
        return path.resolve() if path.is_symlink() else path
    except (OSError, RuntimeError):
        return path


def diagnose(location: Location) -> list[Check]:
    """Everything `tpm doctor` reports, in order. Reads only."""
    checks: list[Check] = []
    path = location.path
    if path is None:
        from tpm_tui.services.maintenance_server import diagnose_server

        return diagnose_server(location)
    real = _real(path)
    via = f" (a link to {shown(real)})" if real != path else ""
    if not real.exists():
        if real != path:
            return [
                Check(
                    "database",
                    None,
                    f"{shown(path)} is a link to {shown(real)}, which does not exist yet"
                    " (the next tpm command creates it there, 0600)",
                )
            ]
        return [
            Check(
                "database", None, f"{shown(path)} does not exist yet", "any tpm command creates it"
            )
        ]
    size = real.stat().st_size
    checks.append(
        Check(
            "database",
            None,
            f"{shown(path)}{via} ({size / 1024:.0f} KiB, chosen by {location.source})",
        )
    )
    checks += _permissions(real)
    # The header says whether it is in WAL mode; read before any connection is open
    # (closing a descriptor of the file would drop that connection's locks).
    wal = read_header(real)[18:20] == b"\x02\x02"
    try:
        conn = open_readonly(real)
        identity = identify(conn)
    except sqlite3.Error as error:
        return [
            *checks,
            Check("open", False, f"cannot read it: {error}", _restore_advice(location)),
            *_backup_checks(location),
        ]
    try:
        if identity.kind == "foreign":
            checks.append(Check("schema", False, f"it {identity.reason}", "pass another --db"))
        elif identity.kind == "empty":
            checks.append(Check("schema", None, "empty: tpm creates its tables on first use"))
        else:
            checks += _schema_checks(conn, wal, identity.revision, _restore_advice(location))
            checks += _content_checks(conn)
    finally:
        conn.close()
    checks += _backup_checks(location)
    return checks


def _permissions(path: Path) -> list[Check]:
    """The folder, the database and its -wal and -shm files (beside the real file)."""
    problems = []
    if not _private(path.parent, folder=True):
        problems.append(f"folder {shown(path.parent)} is {_mode(path.parent)}")
    files = [
        f"{shown(candidate.name)} is {_mode(candidate)}"
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if candidate.exists() and not _private(candidate, folder=False)
    ]
    if files:
        problems.append("; ".join(files) + f" (in {shown(path.parent)})")
    if problems:
        return [
            Check(
                "permissions",
                False,
                "; ".join(problems),
                f"chmod 700 {shown(path.parent)} && chmod 600 {shown(path)}*",
            )
        ]
    return [Check("permissions", True, f"folder {_mode(path.parent)}, database {_mode(path)}")]


def _schema_checks(
    conn: sqlite3.Connection, wal: bool, revision: str | None, restore: str
) -> list[Check]:
    checks: list[Check] = []
    if revision == HEAD:
        checks.append(Check("schema", True, f"revision {revision} (current)"))
    elif revision in known_revisions():
        note = f"revision {revision}, older than {HEAD}: the next tpm command upgrades it"
        checks.append(Check("schema", None, note + " after a backup"))
    else:
        checks.append(
            Check(
                "schema",
                False,
                f"revision {revision or 'none'} is unknown to this tpm (knows up to {HEAD})",
                "upgrade tpm",
            )
        )
    journal = "wal" if wal else "rollback journal"
    checks.append(Check("journal", journal == "wal" or None, journal))
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.Error as error:
        integrity = [str(error)]
    if integrity == ["ok"]:
        checks.append(Check("integrity", True, "ok"))
    else:
        checks.append(Check("integrity", False, "; ".join(integrity[:3]), restore))
        return checks  # the rest would only read the damage again
    try:
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as error:
        return [*checks, Check("references", False, str(error), restore)]
    checks.append(
        Check("references", True, "ok")
        if not broken
        else Check("references", False, f"{len(broken)} broken references", restore)
    )
    return checks


def _content_checks(conn: sqlite3.Connection) -> list[Check]:
    try:
        return _contents(conn)
    except sqlite3.Error as error:
        return [Check("contents", False, f"cannot read them: {error}")]


def _contents(conn: sqlite3.Connection) -> list[Check]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
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
        checks.append(_settings_check(dict(conn.execute("SELECT key, value FROM setting"))))
    return checks


def _settings_check(stored: dict[str, str]) -> Check:
    """The settings as `tpm config` shows them; a stored value it could not show is
    flagged (an import from before imports were checked)."""
    from tpm_tui.services.settings import SETTINGS

    shown_values, bad = [], []
    for key, value in stored.items():
        spec = SETTINGS.get(key)
        try:
            if spec is None:
                raise ValueError
            shown_values.append(f"{key} {spec.show(value)}")
        except (ValueError, InvalidInput):
            bad.append(key)
            shown_values.append(f"{shown(key)} {shown(value)!r} (not valid)")
    detail = ", ".join(shown_values) or "defaults"
    if bad:
        advice = "; ".join(
            f"tpm config {key} VALUE sets it again"
            if key in SETTINGS
            else f"{shown(key)} is unknown to this tpm (it is ignored)"
            for key in bad
        )
        return Check("settings", False, detail, advice)
    return Check("settings", None, f"{detail} (stored in the database; tpm config changes them)")


def _sound_backups(location: Location) -> Iterator[Path]:
    """This database's backups, newest first, that pass check_backup."""
    assert location.path is not None
    for backup in backups_of(location.path):
        try:
            check_backup(backup)
        except InvalidInput:
            continue
        yield backup


def _restore_advice(location: Location) -> str:
    sound = next(_sound_backups(location), None)
    if sound is not None:
        return f"restore the newest sound backup: tpm restore {shown(sound)}"
    return "restore a backup you have (tpm restore FILE), or an export (tpm import FILE --replace)"


def _backup_checks(location: Location) -> list[Check]:
    assert location.path is not None
    backups = backups_of(location.path)
    folder = location.backup_dir
    assert folder is not None
    checks: list[Check] = []
    if not backups:
        checks.append(Check("backups", None, f"none yet in {shown(folder)} (tpm backup makes one)"))
    else:
        newest = ", ".join(f"{shown(p.name)} ({_when(p)})" for p in backups[:3])
        checks.append(
            Check("backups", None, f"{len(backups)} in {shown(folder)}; newest: {newest}")
        )
    with contextlib.suppress(OSError):
        leftovers = [p for p in folder.glob(f".{location.path.name}-*.tmp")]
        if leftovers:
            checks.append(
                Check(
                    "backups",
                    None,
                    f"{len(leftovers)} unfinished backup(s) from an interrupted tpm backup"
                    f" (hidden .tmp files in {shown(folder)}); they can be deleted",
                )
            )
    return checks


def _when(path: Path) -> str:
    try:
        return f"{datetime.fromtimestamp(path.stat().st_mtime):%d %b %H:%M}"
    except OSError:
        return "gone"


def _file_status(path: Path) -> str | None:
    """Why `path` cannot be a backup to read, or None if it is a regular file."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file"
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    except ValueError:
        return "not a usable file name"
    return None


def check_backup(backup: Path) -> str:
    """Refuse a file that is not a sound tpm database this tpm can read; return its revision."""
    problem = _file_status(backup)
    if problem is not None:
        raise InvalidInput(f"{shown(backup)}: {problem}")
    try:
        conn = open_readonly(backup)
        try:
            identity = identify(conn)
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise InvalidInput(f"{shown(backup)}: not a tpm backup ({error})") from None
    if identity.kind != "tpm":
        reason = identity.reason or "it holds no tpm workspace"
        raise InvalidInput(f"{shown(backup)}: not a tpm backup ({reason})")
    if identity.revision not in known_revisions():
        raise InvalidInput(
            f"{shown(backup)}: schema {identity.revision} is unknown to this tpm "
            f"(knows up to {HEAD})"
        )
    if integrity != "ok":
        raise InvalidInput(f"{shown(backup)}: the backup itself is damaged ({integrity})")
    return str(identity.revision)


def restore_workspace(db: Database, backup: Path) -> Path:
    """Replace the workspace with a checked backup, in one transaction under the write
    lock, and return the backup of the state it replaced.

    That backup is taken from inside the same lock, so a write from another process
    is either in it or waits and lands on the restored workspace; an open TUI sees
    the old state or the new one, never half. The backup's schema comes along (an
    older one is upgraded when next opened)."""
    conn = db.raw_connection()
    try:
        # Both outside any transaction, as SQLite requires.
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("ATTACH DATABASE ? AS restored", (str(backup),))
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                previous = db.backup(reason="before-restore", connection=conn)
                _copy_database(conn, "restored")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise StorageError(f"{shown(backup)}: its references are broken")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute("DETACH DATABASE restored")
            conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as error:
        message = f"{db.location.label}: restore failed, nothing changed ({error})"
        raise StorageError(message) from error
    finally:
        conn.close()
    return previous


def _copy_database(conn: sqlite3.Connection, source: str) -> None:
    """Make `main` hold exactly what the attached `source` holds: its tables, indexes,
    views and triggers (as their own SQL made them) and every row."""
    mine = conn.execute(
        "SELECT type, name FROM main.sqlite_master"
        " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name in mine:  # indexes and triggers go with their tables
        conn.execute(f'DROP {kind.upper()} main."{_quoted(name)}"')
    theirs = conn.execute(
        f"SELECT type, name, sql FROM {source}.sqlite_master"
        " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid"
    ).fetchall()
    for _kind, _name, sql in theirs:
        conn.execute(sql)  # unqualified names: made in main
    for kind, name, _sql in theirs:
        if kind == "table":
            quoted = _quoted(name)
            conn.execute(f'INSERT INTO main."{quoted}" SELECT * FROM {source}."{quoted}"')
    counters = conn.execute(
        f"SELECT 1 FROM {source}.sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()
    if counters is not None:  # AUTOINCREMENT's counters come along
        conn.execute("DELETE FROM main.sqlite_sequence")
        conn.execute(f"INSERT INTO main.sqlite_sequence SELECT * FROM {source}.sqlite_sequence")


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def replace_damaged(path: Path, backup: Path) -> None:
    """Put a backup in place of a database SQLite cannot use any more (the file a link
    points to, so the link stays): a fresh file is written beside it and renamed over
    it; its -wal and -shm go first, so they are never replayed onto the new one."""
    real = _real(path)

    def drop_sidecars() -> None:
        for sidecar in (Path(f"{real}-wal"), Path(f"{real}-shm")):
            sidecar.unlink(missing_ok=True)

    try:
        source = open_readonly(backup)
        try:
            write_private(real, snapshot(source), before_publish=drop_sidecars)
        finally:
            source.close()
    except sqlite3.Error as error:
        raise StorageError(f"{shown(path)}: restore failed, nothing changed ({error})") from error
    except OSError as error:
        raise StorageError(
            f"{shown(path)}: restore failed, nothing changed ({error.strerror or error})"
        ) from error


def _readable(path: Path) -> bool:
    try:
        conn = open_readonly(path)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def set_aside(path: Path, folder: Path) -> Path:
    """Copy a database that cannot be opened (and its -wal) into `folder` as it is,
    before it is replaced; returns the copy's path."""
    real = _real(path)
    try:
        target = write_backup(path, folder, "damaged", _chunks(real))
        wal = Path(f"{real}-wal")
        if wal.exists():
            write_private(Path(f"{target}-wal"), _chunks(wal), exclusive=True)
    except OSError as exc:
        raise StorageError(
            f"{shown(path)}: cannot keep a copy before restoring ({exc.strerror or exc})"
        ) from exc
    return target


def can_replace(path: Path) -> str | None:
    """Why restore must not replace the file at `path`, or None when it may: it is
    missing, empty, tpm's, or a damaged file that carries tpm's application id."""
    from tpm_tui.db import header_application_id, identify_file

    real = _real(path)
    identity = identify_file(real)
    if identity.kind in ("empty", "tpm"):
        return None
    if identity.kind == "unreadable":
        # Damaged, but is it tpm's? Its header may still say so. (Reading the file
        # directly is safe here: this process has no connection to it.)
        if header_application_id(read_header(real)) == APPLICATION_ID:
            return None
        return f"it is not readable ({identity.reason}) and not marked as tpm's"
    return f"it {identity.reason}"
