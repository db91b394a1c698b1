"""The board's data: levels, the filter language, sprint and debt figures."""

from __future__ import annotations

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.errors import InvalidInput
from tpm_tui.models import Kind
from tpm_tui.services import backlog
from tpm_tui.services.board import Level, load_board
from tpm_tui.services.filters import parse_filter

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


def _ids(seeded: Seeded, clock: Clock, text: str, level: Level = Level.WORK) -> set[int]:
    data = load_board(seeded.db, clock, level, parse_filter(text))
    return {card.id for cards in data.cards.values() for card in cards}


def test_levels(seeded: Seeded, clock: Clock) -> None:
    assert _ids(seeded, clock, "") == {seeded.story, seeded.bug, seeded.debt}
    assert _ids(seeded, clock, "", Level.FEATURES) == {seeded.feature}
    assert _ids(seeded, clock, "", Level.EPICS) == {seeded.epic}
    assert Level.WORK.next() is Level.FEATURES and Level.EPICS.next() is Level.WORK


def test_filter_tokens(seeded: Seeded, clock: Clock) -> None:
    backlog.edit_item(seeded.db, clock, seeded.debt, owner="Ana", description="Layout engine")
    assert _ids(seeded, clock, "kind:debt") == {seeded.debt}
    assert _ids(seeded, clock, "kind:bug,debt") == {seeded.bug, seeded.debt}
    assert _ids(seeded, clock, "pdf") == {seeded.bug, seeded.debt}  # title words, any case
    assert _ids(seeded, clock, "engine") == {seeded.debt}  # description
    assert _ids(seeded, clock, "pdf wrap") == {seeded.bug}  # every word must match
    assert _ids(seeded, clock, f"epic:{seeded.epic}") == {seeded.story, seeded.bug, seeded.debt}
    assert _ids(seeded, clock, f"feature:{seeded.feature}") == {seeded.story, seeded.bug}
    assert _ids(seeded, clock, "sprint:current") == {seeded.story}
    assert _ids(seeded, clock, "sprint:none") == {seeded.bug, seeded.debt}
    assert _ids(seeded, clock, '"sprint:sprint 24"') == {seeded.story}
    assert _ids(seeded, clock, "owner:ana") == {seeded.debt}
    assert _ids(seeded, clock, "points:>2") == {seeded.story, seeded.bug}
    assert _ids(seeded, clock, "points:<=2") == {seeded.debt}
    assert _ids(seeded, clock, "points:5") == {seeded.story}
    assert _ids(seeded, clock, "100%_") == set()  # LIKE wildcards are matched literally


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour:red", "unknown filter colour: use words or kind:debt"),
        ("kind:saga", "kind:saga? use epic"),
        ("epic:abc", "epic:abc? give an item id"),
        ("points:lots", "points:lots? use points:5"),
        ("owner:", "owner: needs a value"),
    ],
)
def test_bad_filters_say_what_works(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_filter(text)
    assert message in str(error.value)


def test_hidden_count_sprint_and_debt_share(seeded: Seeded, clock: Clock) -> None:
    data = load_board(seeded.db, clock, Level.WORK, parse_filter("kind:story"))
    assert (data.shown, data.hidden) == (1, 2)
    assert data.sprint is not None
    assert (data.sprint.name, data.sprint.committed, data.sprint.done) == ("Sprint 24", 5, 0)
    assert data.sprint.days_left == 11  # Thu 26 Nov to Sun 6 Dec, today included
    full = load_board(seeded.db, clock)
    assert full.debt_percent == 20  # 2 of 10 points
    assert full.hidden == 0
    backlog.move_item(seeded.db, clock, seeded.story, "done")
    done = load_board(seeded.db, clock).sprint
    assert done is not None and done.done == 5


def test_cards_keep_board_order(seeded: Seeded, clock: Clock) -> None:
    extra = backlog.create_item(seeded.db, clock, Kind.STORY, "Second in backlog")
    backlog.reorder_item(seeded.db, clock, extra.id, -5)
    data = load_board(seeded.db, clock)
    assert [c.id for c in data.cards["backlog"]] == [extra.id, seeded.story, seeded.debt]
    assert [c.key for c in data.columns] == list(data.cards)
