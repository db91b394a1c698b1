"""What the board shows against what the database holds, card by card: the check every
board test can run after each key, form save or outside change."""

from __future__ import annotations

import re

from tpm_tui.db import Database
from tpm_tui.screens.board import BoardScreen
from tpm_tui.services import backlog
from tpm_tui.services.backlog import ItemView
from tpm_tui.widgets.card import KIND_TAGS
from tpm_tui.widgets.kanban_column import KanbanColumn

_SPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def rendered_cards(column: KanbanColumn) -> list[list[str]]:
    """The text of each card wholly on screen in this column, top to bottom, as drawn."""
    cards = column.cards
    height = getattr(cards, "card_height", 2)
    top = cards.scroll_offset.y
    lines: dict[int, list[str]] = {}
    for y in range(cards.scrollable_content_region.height):
        index = (top + y) // height
        if index >= len(column.ids):
            break
        lines.setdefault(index, []).append(cards.render_line(y).text)
    first = -(-top // height)  # a card cut at the top is not wholly on screen
    return [lines[i] for i in sorted(lines) if i >= first and len(lines[i]) == height]


def _points_pattern(item: ItemView) -> re.Pattern[str]:
    """A work item's points as a card writes them: `5 pts`, `1 pt`, `? pts` (or `5p`)."""
    number = "?" if item.points is None else str(item.points)
    return re.compile(rf"(?<![\w?]){re.escape(number)} ?pt?s?(?!\w)")


def card_problems(lines: list[str], item: ItemView) -> list[str]:
    """Why these drawn lines are not this item (empty when they are)."""
    problems = []
    drawn = [line for line in lines if line.strip()]  # a short title leaves a blank line
    title, details = " ".join(drawn[:-1]).rstrip(), drawn[-1]
    shown = _squeeze(title).rstrip("…")
    expected = _squeeze(f"#{item.id} {item.title}")
    if "…" in title:
        if not (expected.startswith(shown) and len(shown) >= min(len(expected), 6)):
            problems.append(f"title {title!r} is not a cut of #{item.id} {item.title!r}")
    elif shown != expected:
        problems.append(f"title {title!r} is not #{item.id} {item.title!r}")
    tag = KIND_TAGS[item.kind][0]
    if not details.strip().startswith(tag):
        problems.append(f"{details!r} does not start with {tag}")
    if item.kind.level == 2 and not _points_pattern(item).search(details):
        problems.append(f"{details!r} does not show the points ({item.points})")
    return problems


def assert_board_shows_db(board: BoardScreen, db: Database) -> None:
    """Every column lists the database's items in its order, and every card wholly on
    screen reads as its item does in the database (title, kind, points)."""
    assert board.data is not None
    level, item_filter = board.data.level, board.data.item_filter
    if board.item_filter is not None:  # what is drawn was read for the filter in force
        assert item_filter == board.item_filter, f"drawn for {item_filter.text!r}"
    for key, column in board.columns.items():
        items = backlog.list_items(
            db,
            status=key,
            kinds=level.kinds,
            item_filter=item_filter if item_filter.active else None,
            today=board.workspace.clock.today(),
        )
        assert column.ids == [i.id for i in items], f"{key}: order differs from the database"
        drawn = rendered_cards(column)
        top = -(-column.cards.scroll_offset.y // getattr(column.cards, "card_height", 2))
        for offset, lines in enumerate(drawn):
            item = items[top + offset]
            problems = card_problems(lines, item)
            assert not problems, f"{key}, card #{item.id}: {'; '.join(problems)}"
