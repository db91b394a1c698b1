"""Dependencies between work items (an item blocked by another).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dependency",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("blocked_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("item_id <> blocked_by_id", name="ck_dependency_not_self"),
        sa.ForeignKeyConstraint(["item_id"], ["work_item.id"]),
        sa.ForeignKeyConstraint(["blocked_by_id"], ["work_item.id"]),
        sa.PrimaryKeyConstraint("item_id", "blocked_by_id"),
    )
    op.create_index("ix_dependency_blocked_by_id", "dependency", ["blocked_by_id"])


def downgrade() -> None:
    op.drop_index("ix_dependency_blocked_by_id", table_name="dependency")
    op.drop_table("dependency")
