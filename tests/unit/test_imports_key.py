"""An imported item's key: `key:PAY-142` in the filter, on the card and in the detail pane."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import Seeded
from tpm_tui.services import backlog
from tpm_tui.services.filters import parse_filter
from tpm_tui.widgets.card import COMPACT_BELOW, card_lines

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL


def _give_key(seeded: Seeded, item_id: int, key: str) -> None:
    with seeded.db.engine.begin() as conn:  # as an import would store it, on either engine
        conn.execute(
            sa.text("UPDATE work_item SET source = 'jira', source_key = :key WHERE id = :id"),
            {"key": key, "id": item_id},
        )


def test_key_filter_finds_the_item_by_its_source_key(seeded: Seeded) -> None:
    _give_key(seeded, seeded.story, "PAY-142")
    found = backlog.list_items(seeded.db, item_filter=parse_filter("key:pay-142"))
    assert [i.id for i in found] == [seeded.story]
    assert found[0].source_key == "PAY-142"
    assert backlog.list_items(seeded.db, item_filter=parse_filter("key:PAY-9")) == []


def test_card_and_detail_show_the_key(seeded: Seeded) -> None:
    _give_key(seeded, seeded.story, "PAY-142")
    item = backlog.get_item(seeded.db, seeded.story)

    def details(width: int) -> str:
        _title, line = card_lines(item, None, width, 1)
        return "".join(text for text, _style in line)

    assert details(60) == "STORY · 5 pts · PAY-142 · Self-serve invoicing"
    assert details(COMPACT_BELOW - 1).startswith("STORY 5p PAY-142")


def test_only_the_imports_load_the_import_libraries() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import tpm_tui.cli, tpm_tui.app, tpm_tui.screens.time, tpm_tui.services.settings\n"
        "import tpm_tui.importers.calendar, tpm_tui.importers.backlog_import\n"
        "heavy = {'icalendar', 'recurring_ical_events', 'markdownify', 'bs4', 'sqlalchemy'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
