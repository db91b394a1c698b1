"""Initial schema: board columns (seeded), goals, sprints, milestones, work items, time.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DEFAULT_COLUMNS = (
    ("backlog", "Backlog", 1, None, False),
    ("todo", "To Do", 2, None, False),
    ("in_progress", "In Progress", 3, 5, False),
    ("review", "Review", 4, 3, False),
    ("done", "Done", 5, None, True),
)


def upgrade() -> None:
    columns = op.create_table(
        "board_column",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("wip_limit", sa.Integer(), nullable=True),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sprint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("goal", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("acceptance", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("sprint_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=60), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('epic', 'feature', 'story', 'bug', 'debt')", name="ck_work_item_kind"
        ),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["work_item.id"]),
        sa.ForeignKeyConstraint(["sprint_id"], ["sprint.id"]),
        sa.ForeignKeyConstraint(["status"], ["board_column.key"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_item_kind", "work_item", ["kind"])
    op.create_index("ix_work_item_parent_id", "work_item", ["parent_id"])
    op.create_index("ix_work_item_sprint_id", "work_item", ["sprint_id"])
    op.create_index("ix_work_item_status_rank", "work_item", ["status", "rank"])
    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('meetings', 'tooling', 'deliverables')", name="ck_time_entry_category"
        ),
        sa.CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="ck_time_entry_order"),
        sa.ForeignKeyConstraint(["item_id"], ["work_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_time_entry_started_at", "time_entry", ["started_at"])
    op.create_index("ix_time_entry_item_id", "time_entry", ["item_id"])
    op.create_index(
        "ux_time_entry_one_running",
        "time_entry",
        [sa.text("(ended_at IS NULL)")],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.bulk_insert(
        columns,
        [
            {"key": k, "name": n, "position": p, "wip_limit": w, "is_done": d}
            for k, n, p, w, d in DEFAULT_COLUMNS
        ],
    )


def downgrade() -> None:
    op.drop_table("time_entry")
    op.drop_table("work_item")
    op.drop_table("milestone")
    op.drop_table("sprint")
    op.drop_table("goal")
    op.drop_table("board_column")
