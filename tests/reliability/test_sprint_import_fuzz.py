"""Hostile imports of the sprint sections (team, days away, item history, a closed
sprint with its retro): any value in any field is either refused with nothing changed,
or gives a sound workspace that exports again; never a crash."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.test_fuzz import (
    CLOCK,
    JSON,
    RUN,
    _snapshot,
    fresh,
    imported_or_unchanged,
    template,
)
from tpm_tui.db import Database
from tpm_tui.services import backlog, planning, sprints, standup, team, transfer

__all__ = ["fresh", "template"]  # the fixtures, used by name


def _sprint_export(db: Database) -> dict[str, Any]:
    """A workspace with a closed sprint (velocity, retro), a team and a day away."""
    closed = planning.create_sprint(db, "Sprint 24", date(2026, 11, 9), date(2026, 11, 22))
    story = backlog.create_item(db, CLOCK, "story", "Story", points=3)
    sprints.add_items(db, CLOCK, closed.id, [story.id])
    backlog.move_item(db, CLOCK, story.id, "done")
    sprints.close_sprint(db, CLOCK, closed.id, None)
    sprints.save_retro(db, closed.id, "# Retro\n\n- [ ] Fix the flaky test\n")
    team.add_member(db, "ana", 70)
    team.add_away(db, "ana", date(2026, 11, 30), date(2026, 12, 1))
    return transfer.export_workspace(db, CLOCK)


@RUN
@given(
    section=st.sampled_from(["team", "team_away", "item_events", "sprints"]),
    field=st.sampled_from(
        [
            "id",
            "name",
            "focus_percent",
            "member_id",
            "start_date",
            "end_date",
            "item_id",
            "at",
            "change",
            "status",
            "done",
            "points",
            "sprint_id",
            "archived",
            "capacity",
            "velocity",
            "closed_at",
            "retro",
        ]
    ),
    value=JSON,
    drop=st.booleans(),
)
def test_hostile_sprint_sections(
    fresh: Any, section: str, field: str, value: Any, drop: bool
) -> None:
    source, target = fresh(), fresh()
    data = _sprint_export(source)
    assert data[section], section
    backlog.create_item(target, CLOCK, "bug", "Already here")
    before = _snapshot(target)
    hostile = copy.deepcopy(data)
    row = hostile[section][-1]
    if drop:
        row.pop(field, None)
    else:
        row[field] = value
    if not imported_or_unchanged(target, hostile, before):
        return
    again = transfer.export_workspace(target, CLOCK)  # accepted: a sound workspace
    assert again["sprints"] and again["items"]
    for sprint in planning.list_sprints(target):  # whose sprints and stand-up read
        report = sprints.sprint_report(target, CLOCK, sprint.id)
        sprints.render_report(report, {}, "table", CLOCK.today())
        json.dumps(sprints.report_dict(report))
    standup.standup(target, CLOCK)
