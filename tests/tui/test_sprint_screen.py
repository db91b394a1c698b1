"""The sprint screen with keys: plan with `>` and `<` (the committed points follow),
go over capacity (red, and said in words), switch sprints, close with carry-over into
the retro note, and turn an action line into a backlog item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from tests.conftest import location_for
from tests.tui.conftest import SIZE, board_ready, wait_until
from tests.tui.helpers import notes
from tests.unit.test_sprints import MONDAY, at
from tpm_tui.app import TpmApp
from tpm_tui.db import Database, open_database
from tpm_tui.screens.sprint import CapacityShown, CloseSprint, SprintScreen
from tpm_tui.services import backlog, planning, sprints, team


def seed_sprints(db: Database) -> dict[str, int]:
    """A closed Sprint 24 (velocity 8), the running Sprint 25 (planned Monday, one item
    done Tuesday, one added Wednesday), Sprint 26 next, a backlog, and a team of two."""
    ids: dict[str, int] = {}
    old = planning.create_sprint(db, "Sprint 24", date(2026, 11, 9), date(2026, 11, 22))
    shipped = backlog.create_item(db, at(9, 9), "story", "Shipped before", points=8, owner="ana")
    sprints.add_items(db, at(9, 9), old.id, [shipped.id])
    backlog.move_item(db, at(12, 15), shipped.id, "done")
    sprints.close_sprint(db, at(20, 17), old.id, None)
    now = planning.create_sprint(
        db, "Sprint 25", MONDAY, date(2026, 12, 6), "Self-serve invoicing beta"
    )
    ids["sprint"], ids["old"] = now.id, old.id
    rows = [
        ("export", "story", "Export invoices as PDF", 5, "ana"),
        ("csv", "story", "CSV export for finance", 3, "ben"),
        ("wrap", "bug", "PDF totals wrap", 2, "ben"),
    ]
    for key, kind, title, pts, owner in rows:
        ids[key] = backlog.create_item(db, at(23, 9), kind, title, points=pts, owner=owner).id
    sprints.add_items(db, at(23, 10), now.id, [ids["export"], ids["csv"], ids["wrap"]])
    backlog.move_item(db, at(23, 11), ids["csv"], "in_progress")
    backlog.move_item(db, at(24, 15), ids["export"], "done")
    ids["late"] = backlog.create_item(db, at(25, 11), "debt", "Upgrade the SDK", points=3).id
    sprints.add_items(db, at(25, 11), now.id, [ids["late"]])
    for key, title, pts in (("retry", "Retry failed charges", 5), ("dark", "Dark mode", 8)):
        ids[key] = backlog.create_item(db, at(20, 9), "story", title, points=pts, owner="eli").id
    backlog.add_dependency(db, ids["wrap"], ids["late"])
    ids["next"] = planning.create_sprint(db, "Sprint 26", date(2026, 12, 7), date(2026, 12, 20)).id
    team.add_member(db, "ana", 70)
    team.add_member(db, "ben", 60)
    return ids


async def sprint_ready(pilot: Pilot[Any]) -> SprintScreen:
    """Switch to the sprint screen from the board once the board is on screen (the
    workspace open, as when a user switches; started before that, the screen's first
    change check re-reads the backlog once) and wait for its data."""
    await board_ready(pilot)
    await pilot.press("5")
    await wait_until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, SprintScreen) and pilot.app.screen.planning is not None
        ),
    )
    screen = pilot.app.screen
    assert isinstance(screen, SprintScreen)
    await settled(pilot, screen)
    return screen


async def settled(pilot: Pilot[Any], screen: SprintScreen) -> None:
    """Wait until the keys and reads in flight are done."""
    await wait_until(
        pilot, lambda: screen.ready and not screen.stale and screen.waiting_for is None
    )
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _bar(screen: SprintScreen) -> Any:
    return screen.query_one("#sprint-bar", Static).render()


async def test_plan_with_pull_and_send_back(db: Database, make_app: Callable[..., TpmApp]) -> None:
    ids = seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert screen.planning is not None and screen.planning.report.scope == 13
        assert "planned 13" in _bar(screen).plain
        await pilot.press("greater_than_sign")  # the first backlog item: Retry (5)
        await settled(pilot, screen)
        assert backlog.get_item(db, ids["retry"]).sprint_id == ids["sprint"]
        assert screen.planning.report.scope == 18 and "planned 18" in _bar(screen).plain
        assert screen.planning.report.added == 3 + 5  # after the first day: added
        await pilot.press("l", "j")  # the sprint's side, its second item
        target = screen.query_one("#sprint-items").highlighted_item()  # type: ignore[attr-defined]
        await pilot.press("less_than_sign")
        await settled(pilot, screen)
        assert backlog.get_item(db, target.id).sprint_id is None
        assert target.id not in [i.id for i in screen.planning.report.items]
        # a sprint not started yet commits what it holds: > and < move its commitment
        await pilot.press("right_square_bracket", "h")
        await settled(pilot, screen)
        assert screen.planning.report.sprint.id == ids["next"]
        assert screen.planning.report.committed == 0
        await pilot.press("greater_than_sign")
        await settled(pilot, screen)
        pulled = screen.planning.report.items[0]
        assert screen.planning.report.committed == pulled.points and pulled.points
        assert backlog.get_item(db, pulled.id).sprint_id == ids["next"]
        await pilot.press("l", "less_than_sign")
        await settled(pilot, screen)
        assert screen.planning.report.committed == 0


async def test_over_capacity_is_red_and_said_in_words(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    ids = seed_sprints(db)
    sprints.edit_sprint(db, ids["sprint"], capacity=15)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert "over capacity" not in _bar(screen).plain
        await pilot.press("greater_than_sign", "greater_than_sign")  # + 5 + 8 = 26
        await settled(pilot, screen)
        bar = _bar(screen)
        assert "11 pts over capacity" in bar.plain and "▓" in bar.plain
        assert any("$error" in str(span.style) for span in bar.spans)
        how = screen.query_one("#sprint-capacity", Static).render()
        assert str(how) == "capacity 15 pts set by hand for this sprint"


async def test_c_shows_how_the_capacity_was_made_person_by_person(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    ids = seed_sprints(db)
    team.add_away(db, "ben", date(2026, 12, 1), date(2026, 12, 2))
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await sprint_ready(pilot)
        line = str(screen.query_one("#sprint-capacity", Static).render())
        # the whole formula on the line at 80 columns (the steps are behind c)
        assert (
            line == "capacity 7 = 11.8 person-days × 0.62 pts/person-day (learned from Sprint 24)"
        )
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CapacityShown))
        shown = pilot.app.screen
        title = str(shown.query_one("#capacity-title", Static).render())
        steps = str(shown.query_one("#capacity-lines", Static).render()).splitlines()
        assert len(line) <= 80 - 2  # (its padding)
        assert title == "Capacity of Sprint 25: 7 pts"
        assert steps == [
            "ana: 10 working days − 0 away = 10 × 70% focus = 7.0 person-days",
            "ben: 10 working days − 2 away = 8 × 60% focus = 4.8 person-days",
            "11.8 person-days × 0.62 points per person-day (learned from Sprint 24) = 7 pts",
        ]
        await pilot.press("escape")
        await wait_until(pilot, lambda: pilot.app.screen is screen)
        sprints.edit_sprint(db, ids["sprint"], capacity=15)  # by hand: that wins, and says so
        screen.read(screen.sprint_id)
        await settled(pilot, screen)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CapacityShown))
        lines = str(pilot.app.screen.query_one("#capacity-lines", Static).render())
        assert lines.endswith("set by hand for this sprint: 15 pts (that wins)")


async def test_switch_sprints_and_close_with_carry_over_into_the_retro(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    ids = seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        await pilot.press("left_square_bracket")
        await settled(pilot, screen)
        assert screen.planning is not None and screen.planning.report.sprint.name == "Sprint 24"
        await pilot.press("right_square_bracket")
        await settled(pilot, screen)
        assert screen.planning.report.sprint.name == "Sprint 25"
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CloseSprint))
        await pilot.press("enter")  # the first choice: the next sprint
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SprintScreen))
        await settled(pilot, screen)
        closed = planning.resolve_sprint(db, at(26, 10), "Sprint 25")
        assert closed.closed and closed.velocity == 5
        for key in ("csv", "wrap", "late"):
            assert backlog.get_item(db, ids[key]).sprint_id == ids["next"]
        assert backlog.get_item(db, ids["export"]).sprint_id == ids["sprint"]
        assert screen.view == "retro"
        editor = screen.query_one("#retro-note", TextArea)
        assert editor.text.startswith("# Retro: Sprint 25") and editor.has_focus
        # an action line becomes a backlog item with one key, and the line names it
        row = editor.document.line_count - 2
        assert editor.document.get_line(row) == "- [ ] "
        editor.move_cursor((row, len("- [ ] ")))
        await pilot.press(*"Fix the flaky test")
        await pilot.press("ctrl+b")
        await settled(pilot, screen)
        made = [i for i in backlog.list_items(db) if i.title == "Fix the flaky test"]
        assert len(made) == 1 and made[0].sprint_id is None
        assert f"- [ ] Fix the flaky test (#{made[0].id})" in editor.text
        await pilot.press("escape")  # leaves the note, saved
        await settled(pilot, screen)
        assert "Fix the flaky test" in planning.resolve_sprint(db, at(26, 10), "Sprint 25").retro
        assert screen.view == "plan"


async def test_close_on_a_sprint_not_started_says_why_without_a_dialog(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    seed_sprints(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        await pilot.press("right_square_bracket", "b", "p")  # Sprint 26, through the views
        await settled(pilot, screen)
        assert screen.planning is not None and screen.planning.report.sprint.name == "Sprint 26"
        await pilot.press("C")
        await pilot.pause()
        assert app.screen is screen  # no close dialog
        assert "Sprint 26 has not started (it starts 2026-12-07)" in notes(app)


async def test_a_retro_template_looked_at_is_not_saved(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    """`r` then esc without typing saves nothing (the template with that day's figures
    stayed the note, its figures frozen); the template shown later has the figures of
    then; what is typed is saved."""
    ids = seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        await pilot.press("r")
        await settled(pilot, screen)
        editor = screen.query_one("#retro-note", TextArea)
        assert editor.text.startswith("# Retro: Sprint 25") and "Committed 10" in editor.text
        await pilot.press("escape")
        await settled(pilot, screen)
        assert planning.resolve_sprint(db, at(26, 10), "Sprint 25").retro == ""
        sprints.add_items(db, at(26, 9), ids["sprint"], [ids["retry"]])  # from a shell
        await wait_until(
            pilot,
            lambda: (
                screen.planning is not None
                and any(i.id == ids["retry"] for i in screen.planning.report.items)
            ),
            tries=250,
        )
        await settled(pilot, screen)
        await pilot.press("r")
        await settled(pilot, screen)
        assert "added 8" in editor.text  # the template again, with the figures of now
        await pilot.press("end", *" Typed.")
        await pilot.press("escape")
        await settled(pilot, screen)
        assert "Typed." in planning.resolve_sprint(db, at(26, 10), "Sprint 25").retro


async def test_the_hidden_board_waits_for_its_turn_to_read(
    db: Database, make_app: Callable[..., TpmApp]
) -> None:
    """A change made on the sprint screen is not read by the board behind it every
    second (5,000 cards read and drawn unseen); the board reads it when shown again."""
    ids = seed_sprints(db)
    async with make_app().run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        loads: list[object] = []
        load = board.load

        def counted(*args: Any, **kwargs: Any) -> Any:
            loads.append(args)
            return load(*args, **kwargs)

        board.load = counted  # type: ignore[method-assign]
        screen = await sprint_ready(pilot)
        await pilot.press("greater_than_sign")
        await settled(pilot, screen)
        await pilot.pause(2.5)  # the board looks for changes every second
        assert loads == []
        await pilot.press("1")
        await wait_until(pilot, lambda: pilot.app.screen is board and bool(loads))
        await wait_until(pilot, lambda: board.ready and not board.stale)
        assert board.data is not None
        pulled = [i for cards in board.data.cards.values() for i in cards if i.id == ids["retry"]]
        assert pulled[0].sprint_id == ids["sprint"]


async def test_switching_keeps_the_backlog_unless_it_changed_and_changes_show(
    db: Database, db_path: Path, make_app: Callable[..., TpmApp], monkeypatch: Any
) -> None:
    """`[` `]` read only the sprint when nothing changed (the backlog is the same for
    every sprint); a change from another program shows within a second or two, and a
    switch after it reads the backlog again."""
    from tpm_tui.services import sprints as sprint_service

    ids = seed_sprints(db)
    reads: list[bool] = []  # per read: the backlog was read again
    real = sprint_service.load_planning

    def counted(*args: Any) -> Any:
        reads.append(len(args) < 4 or args[3] is None)
        return real(*args)

    monkeypatch.setattr(sprint_service, "load_planning", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await sprint_ready(pilot)
        assert reads == [True]
        await pilot.press("left_square_bracket")
        await settled(pilot, screen)
        assert screen.planning is not None and screen.planning.report.sprint.name == "Sprint 24"
        assert reads == [True, False]
        other = open_database(location_for(db_path))
        made = backlog.create_item(other, at(26, 9), "bug", "Made elsewhere", points=1).id
        sprints.add_items(other, at(26, 9), ids["sprint"], [ids["dark"]])
        other.close()
        await pilot.press("right_square_bracket")
        await wait_until(
            pilot,
            lambda: (
                screen.planning is not None
                and screen.planning.report.sprint.id == ids["sprint"]
                and ids["dark"] in [i.id for i in screen.planning.report.items]
                and made in [i.id for i in screen.planning.candidates]
            ),
            tries=300,
        )
        assert reads[-1] is True  # the backlog was read again after the change
