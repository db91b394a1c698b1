"""The detail pane: the card under the cursor in full — title, kind, points (the roll-up
for epics and features), parent chain, owner, sprint, dates, blockers, the description
rendered as Markdown and the acceptance criteria. It takes an `ItemDetail` (attributes
down) and reaches for nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from tpm_tui.kinds import Kind
from tpm_tui.widgets.card import KIND_TAGS

if TYPE_CHECKING:
    from datetime import date, datetime

    from textual.widgets import Markdown

    from tpm_tui.services.backlog import ItemView, Rollup
    from tpm_tui.services.documents import Sections


@dataclass(frozen=True)
class ItemDetail:
    """Everything the pane shows about one item, read by the screen."""

    item: ItemView
    columns: dict[str, str]  # board column names by key
    parents: tuple[ItemView, ...] = ()  # from the epic down to the direct parent
    blockers: tuple[ItemView, ...] = ()
    rollup: Rollup | None = None
    prd: Sections | None = None  # an epic's PRD: template sections written of all

    def column(self, item: ItemView) -> str:
        """The name of the column an item is in."""
        return self.columns.get(item.status, item.status)


def _points(detail: ItemDetail) -> str:
    item, rollup = detail.item, detail.rollup
    if item.kind.level < 2:
        if rollup is None or not rollup.items:
            return "no items under it yet"
        return (
            f"{rollup.total_points} pts rolled up from {rollup.items} items, "
            f"{rollup.done_points} done ({rollup.done_percent}%)"
        )
    if item.points is None:
        return "not estimated"
    return f"{item.points} pt" if item.points == 1 else f"{item.points} pts"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value.day} {value:%b %Y}"


LABEL_WIDTH = 11


def facts(detail: ItemDetail) -> list[tuple[str, str]]:
    """The labelled facts about the item, in order (a fact it lacks is left out; a
    value may hold several lines)."""
    item = detail.item
    rows = [("Points", _points(detail)), ("Column", detail.column(item))]
    if item.kind is Kind.EPIC:
        rows.append(("PRD", f"PRD {detail.prd}" if detail.prd else "none yet (p writes it)"))
    if item.source_key:
        rows.append(
            ("Key", f"{item.source_key} ({item.source})" if item.source else item.source_key)
        )
    if detail.parents:
        chain = "\n".join(
            f"{'› ' if depth else ''}#{p.id} {p.title} ({p.kind.value})"
            for depth, p in enumerate(detail.parents)
        )
        rows.append(("Parent", chain))
    rows += [
        ("Owner", f"@{item.owner}" if item.owner else "—"),
        ("Sprint", item.sprint or "—"),
    ]
    if item.start_date or item.target_date:
        rows.append(("Dates", f"{_day(item.start_date)} → {_day(item.target_date)}"))
    rows.append(("Created", _day(item.created_at)))
    if item.done_at is not None:
        rows.append(("Done", _day(item.done_at)))
    if detail.blockers:
        blockers = "\n".join(f"#{b.id} {b.title} ({detail.column(b)})" for b in detail.blockers)
        rows.append(("Blocked by", blockers))
    return rows


def heading(item: ItemView) -> Content:
    """`STORY #12` over the title in bold."""
    tag, style = KIND_TAGS[item.kind]
    return Content.assemble((tag, style), " ", (f"#{item.id}", "dim"), "\n", (item.title, "bold"))


class Facts(Widget):
    """Labels on the left, values wrapped beside them (one widget for every row)."""

    DEFAULT_CSS = """
    Facts {
        height: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="detail-facts")
        self.rows: list[tuple[str, str]] = []

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """Show these (label, value) rows."""
        self.rows = rows
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Content]:
        room = max(8, width - LABEL_WIDTH)
        lines = []
        for label, value in self.rows:
            tag = f"{label:<{LABEL_WIDTH}}"
            for part in value.split("\n"):
                for line in Content(part).wrap(room):
                    lines.append(Content.assemble((tag, "dim"), line))
                    tag = " " * LABEL_WIDTH
        return lines

    def render(self) -> Content:
        """The rows at the current width."""
        return Content("\n").join(self._lines(self.content_region.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line per wrapped value line."""
        return len(self._lines(width))


class DetailPane(VerticalScroll, can_focus=False):
    """The focused card in full; empty when no card is under the cursor. The Markdown
    widgets are built on first use."""

    def __init__(self) -> None:
        super().__init__(id="detail-pane")
        self.detail: ItemDetail | None = None
        self._description: Markdown | None = None
        self._acceptance: Markdown | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("No card under the cursor.", "dim"), id="detail-heading")
        yield Facts()
        # Hidden from the start, not in on_mount: a card shown before the pane's Mount
        # event arrives would have its sections hidden again by it.
        for title in ("Description", "Acceptance criteria"):
            section = Static(Content.styled(title, "bold"), classes="detail-section")
            section.display = False
            yield section

    def show_detail(self, detail: ItemDetail | None) -> None:
        """Show this item (None: nothing under the cursor)."""
        if detail == self.detail:
            return
        self.detail = detail
        sections = list(self.query(".detail-section").results(Static))
        head = self.query_one("#detail-heading", Static)
        if detail is None:
            head.update(Content.styled("No card under the cursor.", "dim"))
            self.query_one(Facts).set_rows([])
            for widget in (*sections, self._description, self._acceptance):
                if widget is not None:
                    widget.display = False
            return
        item = detail.item
        head.update(heading(item))
        self.query_one(Facts).set_rows(facts(detail))
        texts = (item.description.strip(), item.acceptance.strip())
        if self._description is None or self._acceptance is None:
            from textual.widgets import Markdown

            self._description = Markdown(texts[0], id="detail-description")
            self._acceptance = Markdown(texts[1], id="detail-acceptance")
            self.mount(self._description, after=sections[0])
            self.mount(self._acceptance, after=sections[1])
        else:
            self._description.update(texts[0])
            self._acceptance.update(texts[1])
        for section, markdown, text in zip(
            sections, (self._description, self._acceptance), texts, strict=True
        ):
            section.display = markdown.display = bool(text)
        self.scroll_home(animate=False)
