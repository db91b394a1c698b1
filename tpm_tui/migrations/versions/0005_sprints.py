"""Sprints that close (capacity, velocity, retro), the team and its days away, and the
history of items (item_event).

Items made before the history existed get the history their row tells: created at
`created_at` (done from then on if they sit in a done column without a done time),
done at `done_at`, archived at `archived_at`; in their current column, points and
sprint throughout.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = "item_id, at, change, status, done, points, sprint_id, archived"
_FROM = "FROM work_item w JOIN board_column c ON c.key = w.status"


def upgrade() -> None:
    op.add_column("sprint", sa.Column("capacity", sa.Integer(), nullable=True))
    op.add_column("sprint", sa.Column("velocity", sa.Integer(), nullable=True))
    op.add_column("sprint", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "sprint", sa.Column("retro", sa.String(), nullable=False, server_default=sa.text("''"))
    )
    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("focus_percent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "team_away",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["team_member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_team_away_member_id", "team_away", ["member_id"])
    op.create_table(
        "item_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("sprint_id", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["work_item.id"]),
        sa.ForeignKeyConstraint(["sprint_id"], ["sprint.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_item_event_at", "item_event", ["at"])
    op.create_index("ix_item_event_item_at", "item_event", ["item_id", "at"])
    op.create_index("ix_item_event_sprint_id", "item_event", ["sprint_id"])
    # The history the rows tell (plain SQL both engines read alike; booleans as
    # comparisons so each engine stores its own true and false).
    op.execute(
        f"INSERT INTO item_event ({_COLUMNS}) SELECT w.id, w.created_at, 'created', w.status,"
        " (c.is_done AND w.done_at IS NULL), w.points, w.sprint_id, (1 = 0) "
        f"{_FROM} ORDER BY w.id"
    )
    op.execute(
        f"INSERT INTO item_event ({_COLUMNS}) SELECT w.id, w.done_at, 'status', w.status,"
        f" (1 = 1), w.points, w.sprint_id, (1 = 0) {_FROM}"
        " WHERE w.done_at IS NOT NULL ORDER BY w.id"
    )
    op.execute(
        f"INSERT INTO item_event ({_COLUMNS}) SELECT w.id, w.archived_at, 'archived',"
        f" w.status, (w.done_at IS NOT NULL OR c.is_done), w.points, w.sprint_id, (1 = 1) {_FROM}"
        " WHERE w.archived_at IS NOT NULL ORDER BY w.id"
    )


def downgrade() -> None:
    op.drop_index("ix_item_event_sprint_id", table_name="item_event")
    op.drop_index("ix_item_event_item_at", table_name="item_event")
    op.drop_index("ix_item_event_at", table_name="item_event")
    op.drop_table("item_event")
    op.drop_index("ix_team_away_member_id", table_name="team_away")
    op.drop_table("team_away")
    op.drop_table("team_member")
    with op.batch_alter_table("sprint") as batch:
        batch.drop_column("retro")
        batch.drop_column("closed_at")
        batch.drop_column("velocity")
        batch.drop_column("capacity")
