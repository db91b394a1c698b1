"""How a work item reads on the board: id and title (on up to two lines), then a kind tag
that needs no colour, points, owner and epic. User text goes in as plain text, never as
markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content

from tpm_tui.kinds import Kind

if TYPE_CHECKING:
    from tpm_tui.services.backlog import ItemView, Rollup

KIND_TAGS: dict[Kind, tuple[str, str]] = {
    Kind.EPIC: ("EPIC", "bold $secondary"),
    Kind.FEATURE: ("FEAT", "bold $primary"),
    Kind.STORY: ("STORY", "bold $success"),
    Kind.BUG: ("BUG", "bold $error"),
    Kind.DEBT: ("DEBT", "bold $warning"),
}

COMPACT_BELOW = 20  # cells: narrower cards write `5p @ana` rather than `5 pts · @ana`


def card_title(item: ItemView) -> Content:
    """`#12 Title` (the id dim)."""
    return Content.assemble((f"#{item.id}", "dim"), " ", item.title)


def title_fits(item: ItemView, width: int) -> bool:
    """Whether `#12 Title` fits on one line `width` cells wide (no Content built: this
    runs over every card of a column)."""
    return cell_len(f"#{item.id} {item.title}") <= width


def card_details(item: ItemView, rollup: Rollup | None, width: int) -> Content:
    """`STORY · 5 pts · @ana · Epic` (done % for epics and features); the owner comes
    before the epic so a cut takes the epic first. Narrow: `STORY 5p @ana Epic`. An
    imported item's key in its tool comes after the points (`STORY · 5 pts · PAY-142 ·
    @ana`): a narrow card keeps its points and loses the key before them."""
    tag, style = KIND_TAGS[item.kind]
    compact = width < COMPACT_BELOW
    details: list[str] = []
    if item.kind.level < 2:
        if rollup is not None and rollup.items:
            details.append(
                f"{rollup.done_percent}%"
                if compact
                else f"{rollup.done_percent}% of {rollup.total_points} pts"
            )
        else:
            details.append("empty" if compact else "no items yet")
    else:
        number = "?" if item.points is None else str(item.points)
        if compact:
            details.append(f"{number}p")
        else:
            details.append(f"{number} pt" if item.points == 1 else f"{number} pts")
    if item.source_key:
        details.append(item.source_key)
    if item.owner:
        details.append(f"@{item.owner}")
    if item.epic_title:
        details.append(item.epic_title)
    separator = " " if compact else " · "
    return Content.assemble((tag, style), (separator + separator.join(details), "dim"))


def card_content(item: ItemView, rollup: Rollup | None, width: int, title_lines: int) -> Content:
    """The card as up to `title_lines` title lines and a details line (then blank lines
    to its fixed height), for a width of `width` cells (the caller's text-overflow cuts
    each line with an ellipsis)."""
    lines = card_title(item).wrap(max(1, width))
    if len(lines) > title_lines:
        # the last title line takes the rest of the title; the renderer ends it with …
        lines = [*lines[: title_lines - 1], Content(" ").join(lines[title_lines - 1 :])]
    # a short title leaves its spare line under the details: a gap before the next card
    blank = [Content("")] * (title_lines - len(lines))
    return Content("\n").join([*lines, card_details(item, rollup, width), *blank])


def card_key(item: ItemView, rollup: Rollup | None = None) -> tuple[object, ...]:
    """Everything a card shows: two cards with equal keys draw the same."""
    return (
        item.id,
        item.kind,
        item.title,
        item.points,
        item.epic_title,
        item.owner,
        item.source_key,
        (rollup.done_percent, rollup.total_points, rollup.items) if rollup else None,
    )
