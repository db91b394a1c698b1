"""PostgreSQL change announcements for open screens: a trigger on every tpm table
sends NOTIFY tpm '<table>:<id>' after each change (delivered at commit). A migration
that adds a table calls notify_changes again (it installs what is missing)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

CHANNEL = "tpm"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION tpm_notify() RETURNS trigger AS $$
DECLARE
    row_id text := COALESCE(to_jsonb(NEW) ->> 'id', to_jsonb(OLD) ->> 'id', '');
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME || ':' || row_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def notify_changes(bind: Any) -> None:
    """Install the function and a trigger on each table that has none yet."""
    bind.execute(sa.text(FUNCTION))
    tables = [t for t in sa.inspect(bind).get_table_names() if t != "alembic_version"]
    existing = {
        row[0]
        for row in bind.execute(
            sa.text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tpm_notify_%'")
        )
    }
    for table in tables:
        name = f"tpm_notify_{table}"
        if name not in existing:
            bind.execute(
                sa.text(
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table}"
                    " FOR EACH ROW EXECUTE FUNCTION tpm_notify()"
                )
            )
