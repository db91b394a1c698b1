"""What the board shows: cards per column at one level, filtered, with the sprint and
tech-debt figures for its status line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog, planning
from tpm_tui.services.backlog import ColumnView, ItemView, Rollup
from tpm_tui.services.filters import ItemFilter
from tpm_tui.sql import compiled as q


class Level(StrEnum):
    """Which cards the board shows: the team's work, features, or epics."""

    WORK = "work"
    FEATURES = "features"
    EPICS = "epics"

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The kinds of item at this level."""
        return {
            Level.WORK: backlog.LEAF_KINDS,
            Level.FEATURES: (Kind.FEATURE,),
            Level.EPICS: (Kind.EPIC,),
        }[self]

    def next(self) -> Level:
        """The level `v` switches to."""
        order = list(Level)
        return order[(order.index(self) + 1) % len(order)]


@dataclass(frozen=True)
class SprintSummary:
    """The running sprint's commitment and progress, in story points."""

    name: str
    committed: int
    done: int
    days_left: int


@dataclass(frozen=True)
class BoardData:
    """Everything one paint of the board needs."""

    level: Level
    columns: list[ColumnView]
    cards: dict[str, list[ItemView]]
    rollups: dict[int, Rollup]
    hidden: int
    sprint: SprintSummary | None
    item_filter: ItemFilter = field(default_factory=ItemFilter)
    filter_note: str | None = None  # what the filter asks that cannot match (a sprint's name)

    @property
    def shown(self) -> int:
        """Cards on the board."""
        return sum(len(c) for c in self.cards.values())

    @property
    def debt_percent(self) -> int | None:
        """Tech debt's share of the story points in view (None when nothing is estimated)."""
        total = debt = 0
        for cards in self.cards.values():
            for card in cards:
                total += card.points or 0
                if card.kind is Kind.DEBT:
                    debt += card.points or 0
        return round(100 * debt / total) if total else None


def sprint_summary(db: Database, today: date) -> SprintSummary | None:
    """Committed and done points of the sprint running today, summed in SQL."""
    sprint = planning.current_sprint(db, today)
    if sprint is None:
        return None
    with db.read() as ex:
        committed, done = ex.row(q.sprint_points, sprint_id=sprint.id) or (0, 0)
    return SprintSummary(sprint.name, int(committed), int(done), sprint.days_left(today))


def count_at_level(db: Database, level: Level) -> int:
    """Cards on the board at `level` without a filter (to say how many a filter hides)."""
    with db.read() as ex:
        return int(ex.scalar(q.items_count_active_of_kinds, kinds=[k.value for k in level.kinds]))


def load_board(
    db: Database, clock: Clock, level: Level = Level.WORK, item_filter: ItemFilter | None = None
) -> BoardData:
    """The board at `level`, narrowed by `item_filter`, in column and rank order."""
    item_filter = item_filter or ItemFilter()
    columns = backlog.list_columns(db)
    today = clock.today()
    items = backlog.list_items(
        db, kinds=level.kinds, item_filter=item_filter if item_filter.active else None, today=today
    )
    cards: dict[str, list[ItemView]] = {c.key: [] for c in columns}
    for item in items:
        cards[item.status].append(item)
    hidden = count_at_level(db, level) - len(items) if item_filter.active else 0
    rollups = backlog.rollups(db) if level is not Level.WORK else {}
    return BoardData(
        level,
        columns,
        cards,
        rollups,
        hidden,
        sprint_summary(db, today),
        item_filter,
        backlog.unknown_sprint(db, item_filter),
    )
