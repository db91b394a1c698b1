"""Goals and vision, PRDs and the status report: goals get a due date and an archive
time; key results and their measured values; versions of written documents (the
vision, each epic's PRD); and the history of items' date changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns: a plain ALTER TABLE ... ADD COLUMN on every engine (no rebuild).
    op.add_column("goal", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("goal", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "key_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("target <> baseline", name="ck_key_result_moves"),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_key_result_goal_id", "key_result", ["goal_id"])
    op.create_table(
        "key_result_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["key_result_id"], ["key_result.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_key_result_value_key_result_id", "key_result_value", ["key_result_id"])
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("sections_filled", sa.Integer(), nullable=False),
        sa.Column("sections_total", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('vision', 'prd')", name="ck_document_version_kind"),
        sa.ForeignKeyConstraint(["item_id"], ["work_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_version_kind_item", "document_version", ["kind", "item_id", "id"])
    op.create_table(
        "date_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_date", sa.Date(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("field IN ('start_date', 'target_date')", name="ck_date_change_field"),
        sa.ForeignKeyConstraint(["item_id"], ["work_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_date_change_item_id", "date_change", ["item_id"])
    op.create_index("ix_date_change_changed_at", "date_change", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_date_change_changed_at", table_name="date_change")
    op.drop_index("ix_date_change_item_id", table_name="date_change")
    op.drop_table("date_change")
    op.drop_index("ix_document_version_kind_item", table_name="document_version")
    op.drop_table("document_version")
    op.drop_index("ix_key_result_value_key_result_id", table_name="key_result_value")
    op.drop_table("key_result_value")
    op.drop_index("ix_key_result_goal_id", table_name="key_result")
    op.drop_table("key_result")
    with op.batch_alter_table("goal") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("due_date")
