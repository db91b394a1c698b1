"""Migrations on a PostgreSQL server: to head on first use in one transaction (a
failing step leaves the schema as it was), first starts from several processes at
once serialized by an advisory lock, a newer schema refused naming both revisions,
and every earlier revision upgraded with its rows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import NOW
from tests.postgres import Server
from tests.unit.test_storage import NEXT_MIGRATION
from tpm_tui import db as dbmod
from tpm_tui.clock import Clock
from tpm_tui.config import Location
from tpm_tui.db import HEAD_REVISION, open_database
from tpm_tui.errors import StorageError
from tpm_tui.services import backlog

_count = iter(range(1, 10_000))


def _empty_database(server: Server) -> str:
    """A new database with nothing in it (not a copy of the migrated template)."""
    name = f"m{os.getpid()}_{next(_count)}"
    server.psql(f"CREATE DATABASE {name}")
    return name


def _schema(server: Server, database: str) -> str:
    """Every table and column of the database, and its revision, as text."""
    return server.psql(
        "SELECT table_name || '.' || column_name || ':' || data_type"
        " FROM information_schema.columns WHERE table_schema = 'public'"
        " ORDER BY 1",
        database,
    ) + server.psql("SELECT version_num FROM alembic_version", database)


# The test migration of test_storage (a column added in a batch), then a new table,
# a changed row, and a step that fails.
BROKEN_MIGRATION = NEXT_MIGRATION.replace(
    "\n\n\ndef downgrade():",
    "\n    op.create_table('colour', sa.Column('id', sa.Integer, primary_key=True))"
    "\n    op.execute(\"UPDATE work_item SET title = 'changed'\")"
    "\n    op.execute('SELECT 1 / 0')\n\n\ndef downgrade():",
    1,
)


def test_a_failing_migration_leaves_the_schema_as_it_was(
    pg_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = pg_server.fresh_database()
    location = Location(pg_server.url(database), None, "test")
    db = open_database(location)
    backlog.create_item(db, Clock(NOW), "story", "Kept")
    db.close()
    before = _schema(pg_server, database)

    scripts = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_broken.py").write_text(
        BROKEN_MIGRATION.format(head=HEAD_REVISION)
    )
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(dbmod, "HEAD_REVISION", "9001")
    with pytest.raises(StorageError, match="division by zero") as refused:
        open_database(location)
    assert "\n" not in str(refused.value)

    assert _schema(pg_server, database) == before
    assert pg_server.psql("SELECT title FROM work_item", database) == "Kept\n"


FIRST_START = """
import sys
from tpm_tui.cli import cli
sys.exit(cli.main(["list"], standalone_mode=False))
"""


def test_first_starts_at_once_migrate_once(pg_server: Server) -> None:
    """Four processes open a new, empty database at the same moment: every one works,
    and the schema is made once (one revision row, the default columns once)."""
    database = _empty_database(pg_server)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env["TPM_DB"] = pg_server.url(database)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_START],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for run in runs:
        _out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
    assert pg_server.psql("SELECT version_num FROM alembic_version", database) == (
        f"{HEAD_REVISION}\n"
    )
    assert pg_server.psql("SELECT count(*) FROM board_column", database) == "5\n"


def test_a_newer_schema_is_refused_naming_both_revisions(pg_server: Server) -> None:
    database = pg_server.fresh_database()
    pg_server.psql("UPDATE alembic_version SET version_num = '9999'", database)
    before = _schema(pg_server, database)
    with pytest.raises(StorageError) as refused:
        open_database(Location(pg_server.url(database), None, "test"))
    message = str(refused.value)
    assert "9999" in message and HEAD_REVISION in message and database in message
    assert _schema(pg_server, database) == before


ROWS = [
    "INSERT INTO goal (id, title, description, position, created_at)"
    " VALUES (1, 'Goal', '', 1, '2026-11-01 09:00:00')",
    "INSERT INTO sprint (id, name, start_date, end_date, goal)"
    " VALUES (1, 'S1', '2026-11-23', '2026-12-06', '')",
    "INSERT INTO milestone (id, title, date) VALUES (1, 'Beta', '2026-12-15')",
    "INSERT INTO work_item (id, kind, parent_id, goal_id, title, description, acceptance,"
    " status, rank, points, sprint_id, owner, created_at, updated_at) VALUES"
    " (1, 'epic', NULL, 1, 'Epic', '', '', 'backlog', 1, NULL, NULL, '',"
    " '2026-11-01 09:00:00', '2026-11-01 09:00:00'),"
    " (2, 'story', 1, NULL, 'Story', '', '', 'done', 2, 5, 1, 'ana',"
    " '2026-11-01 09:00:00', '2026-11-01 09:00:00')",
    "INSERT INTO time_entry (id, category, started_at, ended_at, note, item_id, created_at)"
    " VALUES (1, 'meetings', '2026-11-23 09:00:00', '2026-11-23 09:30:00', 'standup', 2,"
    " '2026-11-23 09:30:00')",
]
COUNTED = ("goal", "sprint", "milestone", "work_item", "time_entry", "board_column")


def test_every_earlier_revision_upgrades_with_its_rows(pg_server: Server) -> None:
    """A database at each earlier revision, a row in every table: opened, it reaches
    head with every row, its times read as the UTC they were stored as, and new rows
    get new ids."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()]
    earlier = [r for r in reversed(revisions) if r != HEAD_REVISION]
    assert earlier, "there is an earlier revision to upgrade from"
    for revision in earlier:
        database = _empty_database(pg_server)
        url = pg_server.url(database)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            for statement in ROWS:
                conn.exec_driver_sql(statement)
            for table in COUNTED:  # explicit ids: move each sequence past them
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        engine.dispose()

        db = open_database(Location(url, None, "test"))
        assert pg_server.psql("SELECT version_num FROM alembic_version", database) == (
            f"{HEAD_REVISION}\n"
        )
        counts = {t: int(pg_server.psql(f"SELECT count(*) FROM {t}", database)) for t in COUNTED}
        assert counts == {
            "goal": 1,
            "sprint": 1,
            "milestone": 1,
            "work_item": 2,
            "time_entry": 1,
            "board_column": 5,
        }, revision
        assert backlog.rollups(db)[1].done_percent == 100
        started = pg_server.psql(
            "SELECT started_at AT TIME ZONE 'UTC' FROM time_entry", database
        ).strip()
        assert started == "2026-11-23 09:00:00", revision
        made = backlog.create_item(db, Clock(NOW), "story", "After the upgrade")
        assert made.id == 3
        db.close()
