"""Sprints: the item history, the burndown against a hand-computed table, forecast and
capacity, closing with carry-over, refusals, and the stand-up of a seeded day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog, planning, sprints, standup, team

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
# `tpm sprint show --format json`'s keys, in order (the issue's contract)
SHOW_KEYS = [
    "name",
    "start",
    "end",
    "goal",
    "capacity",
    "forecast",
    "committed_points",
    "added_points",
    "removed_points",
    "done_points",
    "remaining_points",
    "burndown",
    "items",
]


def at(day: int, hour: int) -> Clock:
    """A clock frozen on a day of November 2026 at an hour (Berlin)."""
    return Clock(datetime(2026, 11, day, hour, tzinfo=BERLIN))


def _events(db: Database, item_id: int) -> list[tuple[str, str, bool, int | None, int | None]]:
    from tpm_tui.sql import compiled as q

    with db.read() as ex:
        return [
            (change, status, done, points, sprint_id)
            for _at, change, status, done, points, sprint_id, _archived in ex.rows(
                q.item_events, id=item_id
            )
        ]


def test_every_change_of_column_points_sprint_and_archive_is_an_event(db: Database) -> None:
    clock = at(23, 9)
    sprint = planning.create_sprint(db, "S1", MONDAY, date(2026, 12, 6))
    item = backlog.create_item(db, clock, "story", "A", points=3)
    backlog.edit_item(db, clock, item.id, title="A2")  # not followed: no event
    backlog.edit_item(db, clock, item.id, points=5, sprint_id=sprint.id)
    backlog.move_item(db, clock, item.id, "done")
    backlog.reorder_item(db, clock, item.id, 1)  # rank only: no event
    backlog.set_archived(db, clock, item.id, True)
    backlog.set_archived(db, clock, item.id, False)
    assert _events(db, item.id) == [
        ("created", "backlog", False, 3, None),
        ("points,sprint", "backlog", False, 5, sprint.id),
        ("status", "done", True, 5, sprint.id),
        ("archived", "done", True, 5, sprint.id),
        ("restored", "done", True, 5, sprint.id),
    ]


@pytest.fixture
def planned(db: Database) -> dict[str, int]:
    """Sprint 25 (Mon 23 Nov – Sun 6 Dec): A 5, B 3, C 2 planned on Monday; A done
    Tuesday; D 4 added Wednesday (scope change); C done Thursday 09:00."""
    sprint = planning.create_sprint(db, "Sprint 25", MONDAY, date(2026, 12, 6))
    ids = {}
    for name, pts in (("A", 5), ("B", 3), ("C", 2)):
        ids[name] = backlog.create_item(db, at(23, 9), "story", name, points=pts).id
    sprints.add_items(db, at(23, 10), sprint.id, [ids["A"], ids["B"], ids["C"]])
    backlog.move_item(db, at(24, 15), ids["A"], "done")
    ids["D"] = backlog.create_item(db, at(25, 11), "bug", "D", points=4).id
    sprints.add_items(db, at(25, 11), sprint.id, [ids["D"]])
    backlog.move_item(db, at(26, 9), ids["C"], "done")
    ids["sprint"] = sprint.id
    return ids


def test_burndown_with_scope_added_on_day_three_is_the_hand_computed_table(
    db: Database, planned: dict[str, int]
) -> None:
    report = sprints.sprint_report(db, at(26, 12), planned["sprint"])
    # 10 working days; the ideal line falls a tenth of the 10 committed each weekday.
    assert [(d.day.day, d.remaining, d.ideal, d.added) for d in report.burndown] == [
        (23, 10, 9.0, 0),
        (24, 5, 8.0, 0),
        (25, 9, 7.0, 4),
        (26, 7, 6.0, 0),
    ]
    assert (report.committed, report.added, report.removed) == (10, 4, 0)
    assert (report.done, report.remaining) == (7, 7)
    data = sprints.report_dict(report)
    assert data["burndown"][2] == {"date": "2026-11-25", "remaining": 9, "ideal": 7.0}
    assert list(data) == SHOW_KEYS
    assert sorted(i["id"] for i in data["items"]) == sorted(
        planned[k] for k in ("A", "B", "C", "D")
    )


def test_a_lowered_estimate_and_an_item_taken_out_are_removed_scope(
    db: Database, planned: dict[str, int]
) -> None:
    backlog.edit_item(db, at(27, 10), planned["B"], points=1)
    sprints.remove_items(db, at(27, 11), planned["sprint"], [planned["D"]])
    report = sprints.sprint_report(db, at(27, 12), planned["sprint"])
    assert (report.committed, report.added, report.removed) == (10, 4, 6)
    assert (report.done, report.remaining, report.burndown[-1].remaining) == (7, 1, 1)


def test_a_sprint_not_started_commits_what_it_holds_now(db: Database) -> None:
    sprint = planning.create_sprint(db, "Next", date(2026, 11, 30), date(2026, 12, 11))
    item = backlog.create_item(db, at(26, 9), "story", "Later", points=8)
    sprints.add_items(db, at(26, 9), sprint.id, [item.id])
    report = sprints.sprint_report(db, at(26, 12), sprint.id)
    assert (report.committed, report.added, report.burndown) == (8, 0, ())


def test_overlapping_dates_are_refused_naming_the_other_sprint(db: Database) -> None:
    planning.create_sprint(db, "Sprint 24", MONDAY, date(2026, 12, 6))
    with pytest.raises(InvalidInput, match=r"overlaps Sprint 24 \(2026-11-23 – 2026-12-06\)"):
        planning.create_sprint(db, "Sprint 25", date(2026, 12, 6), date(2026, 12, 19))
    later = planning.create_sprint(db, "Sprint 25", date(2026, 12, 7), date(2026, 12, 20))
    with pytest.raises(InvalidInput, match="overlaps Sprint 24"):
        sprints.edit_sprint(db, later.id, start_date=date(2026, 12, 1))


def test_close_records_velocity_carries_over_and_refuses_twice(
    db: Database, planned: dict[str, int]
) -> None:
    following = planning.create_sprint(db, "Sprint 26", date(2026, 12, 7), date(2026, 12, 20))
    review = sprints.close_sprint(
        db, at(27, 16), planned["sprint"], following.id, {planned["D"]: None}
    )
    assert review.report.sprint.velocity == 7 and review.report.sprint.closed
    assert sorted((i.id, where) for i, where in review.carried) == sorted(
        [(planned["B"], "Sprint 26"), (planned["D"], "backlog")]
    )
    assert review.carried_points == 7
    assert backlog.get_item(db, planned["B"]).sprint_id == following.id
    assert backlog.get_item(db, planned["D"]).sprint_id is None
    assert backlog.get_item(db, planned["A"]).sprint_id == planned["sprint"]
    # read later, the closed sprint is as it stood at its close (nothing removed)
    again = sprints.sprint_report(db, at(30, 9), planned["sprint"])
    assert (again.done, again.remaining, again.removed) == (7, 7, 0)
    with pytest.raises(InvalidInput, match="Sprint 25 was closed on 2026-11-27 16:00"):
        sprints.close_sprint(db, at(28, 9), planned["sprint"], None)
    # a closed sprint is not the current one any more
    assert planning.current_sprint(db, date(2026, 11, 30)) is None


def test_forecast_is_the_average_velocity_of_the_last_three_closed_sprints(db: Database) -> None:
    velocities = [10, 20, 30, 41]
    for index, velocity in enumerate(velocities):
        start = date(2026, 7, 6) + timedelta(weeks=index)
        made = planning.create_sprint(db, f"S{index}", start, start + timedelta(days=6))
        item = backlog.create_item(db, at(1, 9), "story", f"I{index}", points=velocity)
        sprints.add_items(db, at(1, 9), made.id, [item.id])
        backlog.move_item(db, at(1, 9), item.id, "done")
        sprints.close_sprint(db, at(1, 10), made.id, None)
    current = planning.create_sprint(db, "Now", MONDAY, date(2026, 12, 6))
    report = sprints.sprint_report(db, at(26, 9), current.id)
    assert report.forecast == 30  # (20 + 30 + 41) / 3 = 30.3


def test_capacity_counts_working_days_minus_days_away_times_focus(db: Database) -> None:
    for index, velocity in enumerate([14, 28]):
        start = date(2026, 11, 9 + 7 * index)
        made = planning.create_sprint(db, f"S{index}", start, start.replace(day=start.day + 4))
        item = backlog.create_item(db, at(1, 9), "story", f"I{index}", points=velocity)
        sprints.add_items(db, at(1, 9), made.id, [item.id])
        backlog.move_item(db, at(1, 9), item.id, "done")
        sprints.close_sprint(db, at(20, 18), made.id, None)
    team.add_member(db, "ana", 70)
    team.add_member(db, "ben", 50)
    team.add_away(db, "ben", date(2026, 11, 24), date(2026, 11, 25))
    current = planning.create_sprint(db, "Now", MONDAY, date(2026, 12, 4))
    capacity = sprints.sprint_report(db, at(26, 9), current.id).capacity
    # past sprints (5 working days each): 5×0.7 + 5×0.5 = 6 person-days each, 42 points
    # over 12 person-days = 3.5 per person-day; now 10×0.7 + 8×0.5 = 11 → 38.5 → 38
    assert capacity.per_person_day == pytest.approx(3.5)
    assert capacity.learned_from == ("S0", "S1")
    assert [(p.name, p.available) for p in capacity.people] == [("ana", 10), ("ben", 8)]
    assert capacity.points == 38 and not capacity.manual
    assert "ben: 10 working days − 2 away = 8 × 50% focus = 4.0 person-days" in capacity.explain()
    assert capacity.summary() == (
        "capacity 38 = 11.0 person-days × 3.50 pts/person-day (learned from S0, S1)"
    )
    edited = sprints.edit_sprint(db, current.id, capacity=30)
    manual = sprints.sprint_report(db, at(26, 9), edited.id).capacity
    assert manual.points == 30 and manual.manual
    assert manual.summary() == "capacity 30 pts set by hand for this sprint"


def test_a_sprint_closed_with_nothing_done_teaches_nothing(db: Database) -> None:
    """An old sprint made by mistake and closed empty (velocity 0) leaves the forecast
    and the points per person-day to the sprints that finished work (it drove the
    capacity to 0)."""
    worked = planning.create_sprint(db, "Worked", date(2026, 11, 9), date(2026, 11, 13))
    item = backlog.create_item(db, at(9, 9), "story", "Done", points=12)
    sprints.add_items(db, at(9, 9), worked.id, [item.id])
    backlog.move_item(db, at(10, 9), item.id, "done")
    sprints.close_sprint(db, at(13, 17), worked.id, None)
    empty = planning.create_sprint(db, "Past", date(2026, 11, 16), date(2026, 11, 20))
    sprints.close_sprint(db, at(20, 17), empty.id, None)
    team.add_member(db, "ana", 100)
    current = planning.create_sprint(db, "Now", MONDAY, date(2026, 11, 27))
    report = sprints.sprint_report(db, at(26, 9), current.id)
    assert report.forecast == 12
    assert report.capacity.learned_from == ("Worked",)
    assert report.capacity.per_person_day == pytest.approx(12 / 5)
    assert report.capacity.points == 12


def test_sprints_hold_only_stories_bugs_and_debt(db: Database) -> None:
    sprint = planning.create_sprint(db, "S", MONDAY, date(2026, 12, 6))
    epic = backlog.create_item(db, at(23, 9), "epic", "E")
    with pytest.raises(InvalidInput, match="is an epic: a sprint holds"):
        sprints.add_items(db, at(23, 9), sprint.id, [epic.id])


def test_standup_of_a_seeded_day(db: Database) -> None:
    done = backlog.create_item(db, at(24, 9), "story", "Shipped", points=3, owner="ana")
    backlog.move_item(db, at(25, 16), done.id, "done")  # Wednesday: since the last working day
    old = backlog.create_item(db, at(18, 9), "story", "Old done", owner="ana", status="done")
    working = backlog.create_item(db, at(26, 8), "story", "Busy", owner="ana", status="review")
    stuck = backlog.create_item(db, at(20, 9), "bug", "Forgotten", owner="ben")
    backlog.move_item(db, at(20, 10), stuck.id, "in_progress")  # Friday: 3 working days ago+
    blocker = backlog.create_item(db, at(20, 9), "debt", "Upgrade SDK", owner="chen")
    waiting = backlog.create_item(db, at(20, 9), "story", "Waits", owner="ben", status="todo")
    backlog.add_dependency(db, waiting.id, blocker.id)
    view = standup.standup(db, at(26, 10))
    assert view.since == date(2026, 11, 25)
    people = {p.owner: p for p in view.people}
    assert [i.id for i in people["ana"].done] == [done.id] and old.id not in [
        i.id for p in view.people for i in p.done
    ]
    assert [i.id for i in people["ana"].in_progress] == [working.id]
    assert people["ana"].stale == ()
    assert [(i.id, d) for i, d in people["ben"].stale] == [(stuck.id, date(2026, 11, 20))]
    assert [(i.id, [b.id for b in bs]) for i, bs in people["ben"].blocked] == [
        (waiting.id, [blocker.id])
    ]
    text = standup.render(view)
    assert "Stand-up Thu 26 Nov 2026 (done since Wed 25 Nov)" in text
    assert f"  stale        #{stuck.id} Forgotten — no change since Fri 20 Nov" in text
    # on Monday the last working day is Friday
    assert standup.standup(db, at(30, 9)).since == date(2026, 11, 27)


def test_a_standup_in_markdown_shows_user_text_as_typed(db: Database) -> None:
    item = backlog.create_item(db, at(26, 8), "story", "Title | with <b>pipe</b>", owner="<i>o</i>")
    backlog.move_item(db, at(26, 8), item.id, "in_progress")
    md = standup.render(standup.standup(db, at(26, 10)), "md")
    assert "### \\<i\\>o\\</i\\>" in md
    assert f"- **in progress:** #{item.id} Title \\| with \\<b\\>pipe\\</b\\>" in md
    text = standup.render(standup.standup(db, at(26, 10)), "text")
    assert "<i>o</i>" in text and "Title | with <b>pipe</b>" in text  # the terminal: as typed


def test_a_past_days_standup_is_that_days_state(db: Database) -> None:
    """Tuesday's stand-up read on Thursday: items as their history has them at Tuesday's
    end (one made Wednesday is not there; one moved on since is where it was)."""
    busy = backlog.create_item(db, at(23, 9), "story", "Busy then", owner="ana")
    backlog.move_item(db, at(23, 10), busy.id, "in_progress")
    backlog.move_item(db, at(25, 10), busy.id, "done")  # Wednesday: done after Tuesday
    later = backlog.create_item(db, at(25, 9), "story", "Made Wednesday", owner="ana")
    backlog.move_item(db, at(25, 9), later.id, "in_progress")
    blocker = backlog.create_item(db, at(25, 9), "debt", "Blocker made Wednesday", owner="ben")
    waits = backlog.create_item(db, at(23, 9), "story", "Waits", owner="ben", status="todo")
    backlog.add_dependency(db, waits.id, blocker.id)
    tuesday = standup.standup(db, at(26, 10), date(2026, 11, 24))
    people = {p.owner: p for p in tuesday.people}
    assert [i.id for i in people["ana"].in_progress] == [busy.id]
    assert people["ana"].in_progress[0].status == "in_progress"
    assert "ben" not in people  # the blocker did not exist on Tuesday
    assert later.id not in [i.id for p in tuesday.people for i in p.in_progress]
    today = {p.owner: p for p in standup.standup(db, at(26, 10)).people}
    assert [i.id for i in today["ana"].in_progress] == [later.id]
    assert [i.id for i, _b in today["ben"].blocked] == [waits.id]


@pytest.mark.parametrize(
    ("line", "title", "why"),
    [
        ("- [ ] Fix the flaky test", "Fix the flaky test", None),
        ("- [x] Already done thing", None, "ticked done"),
        ("- [ ]  Fix the flaky test (#10)", None, "backlog item #10 already"),
        ("## Actions", None, "Put the cursor on an action line"),
        ("- [ ] ", None, "Put the cursor on an action line"),
    ],
)
def test_which_retro_lines_make_a_backlog_item(
    line: str, title: str | None, why: str | None
) -> None:
    assert sprints.action_title(line) == title
    said = sprints.why_no_action(line)
    assert (said is None) if why is None else (said is not None and why in said)
