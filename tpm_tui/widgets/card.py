"""How a work item reads on the board: a kind tag that needs no colour, id, title,
points and epic. User text goes in as plain text, never as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def card_prompt(item: ItemView, rollup: Rollup | None = None) -> Content:
    """Two lines: `#12 Title` and `STORY · 5 pts · Epic · @owner` (done % for epics and
    features). The column truncates each line with an ellipsis."""
    tag, style = KIND_TAGS[item.kind]
    first = Content.assemble((f"#{item.id}", "dim"), " ", item.title)
    details: list[str] = []
    if item.kind.level < 2:
        if rollup is not None and rollup.items:
            details.append(f"{rollup.done_percent}% of {rollup.total_points} pts")
        else:
            details.append("no items yet")
    elif item.points is None:
        details.append("? pts")
    else:
        details.append(f"{item.points} pt" if item.points == 1 else f"{item.points} pts")
    if item.epic_title:
        details.append(item.epic_title)
    if item.owner:
        details.append(f"@{item.owner}")
    second = Content.assemble((tag, style), (" · " + " · ".join(details), "dim"))
    return Content("\n").join([first, second])


def card_key(item: ItemView, rollup: Rollup | None = None) -> tuple[object, ...]:
    """What a card shows, to tell cheaply whether it must be drawn again."""
    return (
        item.kind,
        item.title,
        item.points,
        item.epic_title,
        item.owner,
        (rollup.done_percent, rollup.total_points, rollup.items) if rollup else None,
    )
