"""`tpm doctor` on a server database: the server, the schema's revision, what the
role may do and how many rows each table holds. Reads only (one snapshot), migrates
nothing, and names the server without its password."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tpm_tui.config import Location
from tpm_tui.db import HEAD_REVISION as HEAD
from tpm_tui.db import TPM_TABLES, Database, known_revisions
from tpm_tui.errors import ServerUnreachable, StorageError

if TYPE_CHECKING:
    from tpm_tui.services.maintenance import Check
    from tpm_tui.sql.executor import Executor

_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
ORDER BY table_name
"""
_WRITES = ("INSERT", "UPDATE", "DELETE")


def diagnose_server(location: Location) -> list[Check]:
    """The doctor's lines for a server database (a failure to connect is one of them)."""
    from tpm_tui.services.maintenance import Check

    checks = [Check("database", None, f"{location.label} (chosen by {location.source})")]
    db = Database(location)
    try:
        with db.read() as ex:
            checks += _server_checks(ex)
    except ServerUnreachable as exc:
        checks.append(Check("server", False, str(exc), "start the server, or check the URL"))
    except StorageError as exc:
        checks.append(Check("server", False, str(exc), "check the URL, the user and its rights"))
    finally:
        db.close()
    return checks


def _scalar(conn: Executor, sql: str, *params: Any) -> Any:
    rows = conn.driver_rows(sql, params)
    return rows[0][0] if rows else None


def _server_checks(conn: Executor) -> list[Check]:
    from tpm_tui.services.maintenance import Check

    version = _scalar(conn, "SELECT current_setting('server_version')")
    role = _scalar(conn, "SELECT current_user")
    name = _scalar(conn, "SELECT current_database()")
    checks = [Check("server", True, f"PostgreSQL {version}, database {name}, as role {role}")]
    tables = [str(row[0]) for row in conn.driver_rows(_TABLES)]
    revision = None
    if "alembic_version" in tables:
        revision = _scalar(conn, "SELECT version_num FROM alembic_version")
    checks.append(_schema_check(set(tables), revision))
    if revision is None:
        can_create = _scalar(conn, "SELECT has_schema_privilege(current_schema(), 'CREATE')")
        checks.append(
            Check("rights", True, f"{role} can create tpm's tables")
            if can_create
            else Check(
                "rights",
                False,
                f"{role} may not create tables in this database",
                "ask its owner to create the tables (run tpm once as the owner)",
            )
        )
        return checks
    own = [t for t in tables if t != "alembic_version"]
    rights = _rights_check(conn, role, own)
    checks.append(rights)
    if rights.ok is False:  # a table it may not read: no counts to give
        return checks
    counts = []
    for table in own:
        quoted = '"' + table.replace('"', '""') + '"'
        counts.append(f"{table} {_scalar(conn, f'SELECT count(*) FROM {quoted}')}")
    checks.append(Check("contents", None, ", ".join(counts)))
    return checks


def _schema_check(tables: set[str], revision: str | None) -> Check:
    from tpm_tui.services.maintenance import Check

    if revision is None:
        if tables:
            return Check(
                "schema", False, "holds other tables and is not a tpm database", "pass another --db"
            )
        return Check("schema", None, "empty: tpm creates its tables on first use")
    if revision == HEAD and tables >= TPM_TABLES:
        return Check("schema", True, f"revision {revision} (current)")
    if revision in known_revisions():
        return Check(
            "schema",
            None,
            f"revision {revision}, older than {HEAD}: the next tpm command upgrades it",
        )
    return Check(
        "schema",
        False,
        f"revision {revision} is unknown to this tpm (knows up to {HEAD})",
        "upgrade tpm",
    )


def _rights_check(conn: Executor, role: str, tables: list[str]) -> Check:
    """Whether the role can read and write every tpm table (has_table_privilege)."""
    from tpm_tui.services.maintenance import Check

    unreadable, read_only = [], []
    for table in tables:
        if not _scalar(conn, "SELECT has_table_privilege(%s, 'SELECT')", table):
            unreadable.append(table)
        elif not all(
            _scalar(conn, f"SELECT has_table_privilege(%s, '{right}')", table) for right in _WRITES
        ):
            read_only.append(table)
    if unreadable:
        return Check(
            "rights",
            False,
            f"{role} may not read {', '.join(unreadable)}",
            "ask the database's owner to GRANT SELECT on tpm's tables",
        )
    if read_only:
        which = "any table" if len(read_only) == len(tables) else ", ".join(read_only)
        return Check(
            "rights",
            None,
            f"{role} may read but not change {which}: read-only (writes are refused)",
        )
    return Check("rights", True, f"{role} may read and write every table")
