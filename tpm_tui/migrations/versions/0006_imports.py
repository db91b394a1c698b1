"""Imports: where an item came from (source, key, what the last import read) and the
calendar event a time entry was logged from. Additive: new nullable columns and two
unique indexes (no table is rebuilt).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("work_item", sa.Column("source", sa.String(length=20), nullable=True))
    op.add_column("work_item", sa.Column("source_key", sa.String(length=120), nullable=True))
    op.add_column("work_item", sa.Column("source_data", sa.String(), nullable=True))
    op.create_index("ux_work_item_source_key", "work_item", ["source", "source_key"], unique=True)
    op.add_column("time_entry", sa.Column("external_id", sa.String(length=500), nullable=True))
    op.create_index("ux_time_entry_external_id", "time_entry", ["external_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_time_entry_external_id", table_name="time_entry")
    op.drop_column("time_entry", "external_id")
    op.drop_index("ux_work_item_source_key", table_name="work_item")
    op.drop_column("work_item", "source_data")
    op.drop_column("work_item", "source_key")
    op.drop_column("work_item", "source")
