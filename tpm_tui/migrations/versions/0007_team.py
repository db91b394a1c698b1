"""Team mode: hours belong to a person (one running timer per person, a calendar event
logged once per person), items carry a version (a form saving over a change made
meanwhile sees it), and on PostgreSQL the
times become `timestamp with time zone` and every change is announced (NOTIFY) so open
screens follow within a second.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tpm_tui.migrations.notify import notify_changes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The tables were created with `timestamp without time zone`: on PostgreSQL an aware
# time was then read back in the server's zone. The values stored are UTC. Every such
# column of every tpm table at this revision is converted (read from the catalogue, so
# none is forgotten); later migrations create theirs with time zone.
NAIVE_TIMES = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND data_type = 'timestamp without time zone'
ORDER BY table_name, column_name
"""


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for table, column in op.get_bind().execute(sa.text(NAIVE_TIMES)).all():
            op.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}"'
                f" TYPE TIMESTAMP WITH TIME ZONE USING \"{column}\" AT TIME ZONE 'UTC'"
            )
    op.drop_index("ux_time_entry_one_running", table_name="time_entry")
    with op.batch_alter_table("time_entry") as batch:
        batch.add_column(
            sa.Column("person", sa.String(length=60), nullable=False, server_default="")
        )
    op.create_index("ix_time_entry_person", "time_entry", ["person"])
    # A meeting's calendar event is logged once per attendee, not once for the team.
    op.drop_index("ux_time_entry_external_id", table_name="time_entry")
    op.create_index(
        "ux_time_entry_external_id", "time_entry", ["person", "external_id"], unique=True
    )
    op.create_index(
        "ux_time_entry_one_running",
        "time_entry",
        ["person"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    with op.batch_alter_table("work_item") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    if postgresql:
        notify_changes(op.get_bind())


def downgrade() -> None:
    op.drop_index("ux_time_entry_one_running", table_name="time_entry")
    op.drop_index("ux_time_entry_external_id", table_name="time_entry")
    op.create_index("ux_time_entry_external_id", "time_entry", ["external_id"], unique=True)
    op.drop_index("ix_time_entry_person", table_name="time_entry")
    with op.batch_alter_table("time_entry") as batch:
        batch.drop_column("person")
    op.create_index(
        "ux_time_entry_one_running",
        "time_entry",
        [sa.text("(ended_at IS NULL)")],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    with op.batch_alter_table("work_item") as batch:
        batch.drop_column("version")
