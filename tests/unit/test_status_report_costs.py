"""What `tpm report status` loads and reads beyond `tpm report`: the goals' progress
only — not the vision, the epics' PRD sections, or the services (and difflib) that
read them; and its text escaped for Markdown as before, without re-reading a
replacement template for each of thousands of titles."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.services import goals, status_report
from tpm_tui.sql.executor import SqliteExecutor
from tpm_tui.sql.stmt import Stmt
from tpm_tui.text import markdown_text


def test_importing_the_status_report_loads_no_document_service() -> None:
    probe = (
        "import sys\n"
        "import tpm_tui.services.status_report\n"
        "print(sorted(m for m in ('tpm_tui.services.documents', 'tpm_tui.services.prd',"
        " 'difflib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("archived", [False, True, None])
def test_goal_progress_is_the_goals_screens_without_their_epics(
    seeded: Seeded, clock: Clock, archived: bool | None
) -> None:
    billing = goals.create_goal(seeded.db, clock, "Customers bill themselves")
    gone = goals.create_goal(seeded.db, clock, "An old goal")
    kr = goals.add_key_result(seeded.db, clock, billing.id, "Activation", 10, 20, "%", current=12)
    goals.record_value(seeded.db, clock, kr.id, 15)
    goals.add_key_result(seeded.db, clock, gone.id, "Churn", 9, 3, "%")
    goals.link_epic(seeded.db, clock, seeded.epic, billing.id)
    goals.set_goal_archived(seeded.db, clock, gone.id, True)
    screen = goals.load_goals(seeded.db, clock, archived=archived).goals
    assert any(g.epics for g in screen) or archived
    progress = goals.goal_progress(seeded.db, archived=archived)
    assert progress == [replace(g, epics=()) for g in screen]
    assert [g.outcome_percent for g in progress] == [g.outcome_percent for g in screen]
    assert [g.output_percent for g in progress] == [g.output_percent for g in screen]


def test_markdown_text_escapes_as_the_template_did() -> None:
    rng = random.Random(5)
    alphabet = "ab \\`*_[]<>|&~()#!-+.é漢\n"
    old = re.compile(r"([\\`*_\[\]<>|&~])")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert markdown_text(text) == old.sub(r"\\\1", text), text


def test_with_no_goals_the_report_reads_no_key_results_or_points(
    seeded: Seeded, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = SqliteExecutor._rows

    def counted(self: SqliteExecutor, stmt: Stmt, params: Any) -> Any:
        read.append(stmt.name)
        return real(self, stmt, params)

    monkeypatch.setattr(SqliteExecutor, "_rows", counted)
    assert status_report.status_report(seeded.db, clock).goals == []
    assert "goals_all" in read
    assert not {"key_results_all", "key_result_values_all"} & set(read)
