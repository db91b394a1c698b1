"""The click runner's environment for a test's workspace, on either engine: a SQLite
file (TPM_DB = its path) or a fresh PostgreSQL database (TPM_DB = its URL, TPM_USER set,
as a team member's shell would have it)."""

from __future__ import annotations

from tpm_tui.config import Location
from tpm_tui.db import Database

USER = "ana"  # who runs the commands on a server database


def cli_env(location: Location) -> dict[str, str]:
    """TPM_DB (and TPM_USER on a server) for `location`, with TPM_HOME cleared."""
    env = {"TPM_DB": location.url if location.path is None else str(location.path), "TPM_HOME": ""}
    if location.path is None:
        env["TPM_USER"] = USER
    return env


def stored_state(db: Database) -> object:
    """What a test compares to prove nothing was written: a SQLite file's bytes, or a
    server database's every row (the export, without its time stamp)."""
    if db.file is not None:
        return db.file.read_bytes()
    from tpm_tui.clock import Clock
    from tpm_tui.services.transfer import export_workspace

    data = export_workspace(db, Clock())
    del data["exported_at"]
    return data


def query(db: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Rows of plain SQL on the test's database, either engine (checks of what is stored)."""
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql), params)]
