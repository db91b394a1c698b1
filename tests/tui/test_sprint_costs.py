"""What the sprint screen's keys cost: switching sprints never spells out the backlog
(a worker's description), and `>` reads the sprint's figures but not the backlog again
(it knows the one item that left), while another program's change still shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import location_for
from tests.tui.conftest import SIZE, wait_until
from tests.tui.test_sprint_screen import seed_sprints, settled, sprint_ready
from tests.unit.test_sprints import at
from tpm_tui.app import TpmApp
from tpm_tui.db import Database, open_database
from tpm_tui.services import backlog
from tpm_tui.services import sprints as sprint_service
from tpm_tui.services.backlog import ItemView
from tpm_tui.widgets.kanban_column import CardList


async def test_switching_sprints_does_not_write_out_the_backlog(
    db: Database, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_sprints(db)
    written: list[int] = []
    real = ItemView.__repr__

    def counted(self: ItemView) -> str:
        written.append(self.id)
        return real(self)

    monkeypatch.setattr(ItemView, "__repr__", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        await pilot.press("left_square_bracket")
        await settled(pilot, screen)
        assert screen.planning is not None and screen.planning.report.sprint.name == "Sprint 24"
        assert written == []


async def test_a_pull_reads_no_backlog_and_changes_elsewhere_still_show(
    db: Database, db_path: Path, make_app: Callable[..., TpmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed_sprints(db)
    reads: list[tuple[int, ...] | None] = []  # per read: the backlog it was handed
    real = sprint_service.load_planning

    def counted(*args: Any) -> Any:
        given = args[3] if len(args) > 3 else None
        reads.append(None if given is None else tuple(i.id for i in given))
        return real(*args)

    monkeypatch.setattr(sprint_service, "load_planning", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert screen.planning is not None
        before = [i.id for i in screen.planning.candidates]
        assert before[0] == ids["retry"]
        done = len(reads)
        await pilot.press("greater_than_sign")
        await settled(pilot, screen)
        # the read after the pull is handed the backlog less the pulled item
        assert reads[done] == tuple(before[1:])
        assert [i.id for i in screen.planning.candidates] == before[1:]
        assert ids["retry"] in [i.id for i in screen.planning.report.items]
        backlog_list = screen.query_one("#sprint-backlog", CardList)
        assert [i.id for i in backlog_list.items] == before[1:]
        # another program's change, committed around the pull, is still read
        other = open_database(location_for(db_path))
        made = backlog.create_item(other, at(26, 9), "bug", "Made elsewhere", points=1).id
        other.close()
        await wait_until(
            pilot,
            lambda: (
                screen.planning is not None and made in [i.id for i in screen.planning.candidates]
            ),
            tries=300,
        )
        assert made in [i.id for i in backlog_list.items]
