"""Storage: pragmas, write transactions, migrations with backups, and refusals."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import location_for
from tpm_tui import db as dbmod
from tpm_tui.clock import Clock
from tpm_tui.db import HEAD_REVISION, Database, open_database
from tpm_tui.errors import StorageError
from tpm_tui.services import backlog


def test_new_database_has_five_default_columns(db: Database) -> None:
    columns = backlog.list_columns(db)
    assert [c.name for c in columns] == ["Backlog", "To Do", "In Progress", "Review", "Done"]
    assert [c.is_done for c in columns] == [False, False, False, False, True]


def test_pragmas(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == dbmod.BUSY_TIMEOUT_MS


def test_writes_take_the_lock_at_begin(db: Database, db_path: Path) -> None:
    """While a write session is open, another connection cannot start writing."""
    with db.orm_write() as session:
        session.connection()  # BEGIN IMMEDIATE happens here
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_head_revision_constant_matches_the_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_schema_matches_the_models(db: Database) -> None:
    """Autogenerate finds nothing to do: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tpm_tui.models import SQLModel

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_database_newer_than_the_code_is_refused_untouched(db: Database, db_path: Path) -> None:
    with db.orm_write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    before = _digest(db_path)
    with pytest.raises(StorageError) as error:
        open_database(location_for(db_path))
    assert "9999" in str(error.value) and HEAD_REVISION in str(error.value)
    assert str(db_path) in str(error.value)
    assert _digest(db_path) == before
    assert not (db_path.parent / "backups").exists()


def test_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    before = _digest(path)
    with pytest.raises(StorageError, match="not a usable tpm database") as error:
        open_database(location_for(path))
    assert str(path) in str(error.value)
    assert _digest(path) == before


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not a tpm database"):
        open_database(location_for(path))


def test_path_that_is_a_folder_cannot_be_created_into(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create the database") as error:
        open_database(location_for(blocker / "tpm.db"))
    assert str(blocker / "tpm.db") in str(error.value)


NEXT_MIGRATION = '''"""Test-only: add a column to prove upgrades keep data.

Revision ID: 9001
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work_item") as batch:
        batch.add_column(sa.Column("colour", sa.String(20), nullable=True))


def downgrade():
    with op.batch_alter_table("work_item") as batch:
        batch.drop_column("colour")
'''


def test_upgrade_backs_up_first_and_keeps_every_row(
    db: Database, db_path: Path, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database at the current head is upgraded by a newer migration (a batch table
    rebuild of the parent table, the risky case): rows survive, children too, and a
    0600 backup holding the old data is taken first."""
    from tpm_tui.services import timetrack

    epic = backlog.create_item(db, clock, "epic", "Epic")
    story = backlog.create_item(db, clock, "story", "Story", parent_id=epic.id, points=3)
    timetrack.log_entry(db, clock, 30, "meetings", "standup", item_id=story.id)
    db.close()

    scripts = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_test.py").write_text(NEXT_MIGRATION.format(head=HEAD_REVISION))
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(dbmod, "HEAD_REVISION", "9001")

    upgraded = open_database(location_for(db_path))
    with upgraded.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "9001"
        rows = conn.exec_driver_sql(
            "SELECT id, parent_id, title, colour FROM work_item ORDER BY id"
        ).all()
        assert rows == [(epic.id, None, "Epic", None), (story.id, epic.id, "Story", None)]
        assert (
            conn.exec_driver_sql(
                "SELECT count(*) FROM time_entry WHERE item_id = ?", (story.id,)
            ).scalar()
            == 1
        )
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    upgraded.close()

    backups = list((db_path.parent / "backups").glob("*.db"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    assert old.execute("SELECT count(*) FROM work_item").fetchone() == (2,)
    old.close()


def test_only_the_newest_five_automatic_backups_are_kept(db: Database) -> None:
    manual = db.backup()
    made = [db.backup(reason="before-0003") for _ in range(7)]
    kept = sorted(made[0].parent.glob("*.db"))
    assert kept == sorted([manual, *made[-dbmod.BACKUPS_KEPT :]])


def test_backup_is_a_consistent_copy(db: Database, clock: Clock) -> None:
    backlog.create_item(db, clock, "story", "Kept in the backup")
    copy = db.backup()
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT title FROM work_item").fetchall() == [("Kept in the backup",)]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_database_at_every_earlier_revision_upgrades_with_its_rows(tmp_path: Path) -> None:
    """Build a database at each earlier revision with a row in every table it has,
    then open it: it reaches head, keeps every row, and a backup holds the old state."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()]
    earlier = [r for r in reversed(revisions) if r != HEAD_REVISION]
    assert earlier, "there is an earlier revision to upgrade from"
    for revision in earlier:
        path = tmp_path / revision / "tpm.db"
        path.parent.mkdir()
        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            conn.exec_driver_sql(
                "INSERT INTO goal (id, title, description, position, created_at) "
                "VALUES (1, 'Goal', '', 1, '2026-11-01 09:00:00.000000')"
            )
            conn.exec_driver_sql(
                "INSERT INTO sprint (id, name, start_date, end_date, goal) "
                "VALUES (1, 'S1', '2026-11-23', '2026-12-06', '')"
            )
            conn.exec_driver_sql(
                "INSERT INTO milestone (id, title, date) VALUES (1, 'Beta', '2026-12-15')"
            )
            conn.exec_driver_sql(
                "INSERT INTO work_item (id, kind, parent_id, goal_id, title, description,"
                " acceptance, status, rank, points, sprint_id, owner, created_at, updated_at)"
                " VALUES"
                " (1, 'epic', NULL, 1, 'Epic', '', '', 'backlog', 1, NULL, NULL, '',"
                " '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000'),"
                " (2, 'story', 1, NULL, 'Story', '', '', 'done', 2, 5, 1, 'ana',"
                " '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000')"
            )
            conn.exec_driver_sql(
                "INSERT INTO time_entry (id, category, started_at, ended_at, note, item_id,"
                " created_at) VALUES (1, 'meetings', '2026-11-23 09:00:00.000000',"
                " '2026-11-23 09:30:00.000000', 'standup', 2, '2026-11-23 09:30:00.000000')"
            )
        engine.dispose()
        db = open_database(location_for(path))
        with db.engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == HEAD_REVISION
            )
            counts = {
                t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("goal", "sprint", "milestone", "work_item", "time_entry", "board_column")
            }
            assert counts == {
                "goal": 1,
                "sprint": 1,
                "milestone": 1,
                "work_item": 2,
                "time_entry": 1,
                "board_column": 5,
            }
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert backlog.rollups(db)[1].done_percent == 100
        db.close()
        backups = list((path.parent / "backups").glob("*.db"))
        assert len(backups) == 1
        old = sqlite3.connect(backups[0])
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
        assert old.execute("SELECT count(*) FROM work_item").fetchone() == (2,)
        old.close()
