"""Migration 0005 from every earlier revision: sprints keep their rows (open, no
velocity, an empty retro), and every item gets the history its row tells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import location_for
from tests.unit.test_sprints import at
from tpm_tui import db as dbmod
from tpm_tui.db import open_database
from tpm_tui.services import planning, sprints

ITEMS = (
    "INSERT INTO work_item (id, kind, parent_id, goal_id, title, description, acceptance,"
    " status, rank, points, sprint_id, owner, created_at, updated_at, done_at, archived_at)"
    " VALUES"
    " (1, 'story', NULL, NULL, 'Done', '', '', 'done', 1, 5, 1, 'ana',"
    " '2026-11-23 08:00:00.000000', '2026-11-24 14:00:00.000000',"
    " '2026-11-24 14:00:00.000000', NULL),"
    " (2, 'story', NULL, NULL, 'Open', '', '', 'todo', 1, 3, 1, 'ben',"
    " '2026-11-23 08:00:00.000000', '2026-11-23 08:00:00.000000', NULL, NULL),"
    " (3, 'bug', NULL, NULL, 'Gone', '', '', 'todo', 2, 2, 1, '',"
    " '2026-11-23 08:00:00.000000', '2026-11-25 10:00:00.000000', NULL,"
    " '2026-11-25 10:00:00.000000')"
)


@pytest.mark.parametrize("revision", ["0001", "0002", "0003", "0004"])
def test_an_older_workspace_gets_its_items_history(tmp_path: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS_DIR))
    path = tmp_path / "tpm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.exec_driver_sql(
            "INSERT INTO sprint (id, name, start_date, end_date, goal) "
            "VALUES (1, 'S1', '2026-11-23', '2026-12-06', 'Beta')"
        )
        conn.exec_driver_sql(ITEMS)
    engine.dispose()
    db = open_database(location_for(path))
    try:
        (sprint,) = planning.list_sprints(db)
        assert (sprint.goal, sprint.closed, sprint.velocity, sprint.retro) == (
            "Beta",
            False,
            None,
            "",
        )
        with db.engine.connect() as conn:
            events = conn.exec_driver_sql(
                "SELECT item_id, change, done, archived FROM item_event ORDER BY item_id, at"
            ).all()
        assert events == [
            (1, "created", 0, 0),
            (1, "status", 1, 0),
            (2, "created", 0, 0),
            (3, "created", 0, 0),
            (3, "archived", 0, 1),
        ]
        report = sprints.sprint_report(db, at(26, 12), sprint.id)
        assert sprint.start_date == date(2026, 11, 23)
        # Monday 10 points; Tuesday the 5 done; Wednesday the 2 archived
        assert [d.remaining for d in report.burndown] == [10, 5, 3, 3]
        assert (report.committed, report.removed, report.done) == (10, 2, 5)
    finally:
        db.close()
