"""How a work item reads on the board: id and title (on up to two lines), then a kind tag
that needs no colour, points, owner and epic. The card is laid out here as plain lines of
styled runs (the column turns them into strips): user text is never parsed as markup,
and widths are counted in terminal cells, so wide characters stay aligned."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.cells import cell_len, chop_cells, set_cell_size

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
ELLIPSIS = "…"
DIM = "dim"

Run = tuple[str, str]
"""A piece of a card line: its text and the name of its style ("" for the card's own)."""

_Span = tuple[int, int, str]  # start, end (character offsets in a line), style name
_Line = tuple[str, list[_Span]]

_WORD = re.compile(r"\s*\S+\s*")  # a word with the white space around it


def title_cells(item: ItemView) -> int:
    """How many cells `#12 Title` takes on one line (no layout)."""
    text = f"#{item.id} {item.title}"
    # Printable ASCII takes a cell a character: counted without Rich's measure (a regex
    # and a cache lookup a title), as every title of a column is measured on first show.
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


def card_lines(
    item: ItemView, rollup: Rollup | None, width: int, title_lines: int
) -> list[list[Run]]:
    """The card for `width` cells, `title_lines + 1` lines: the title (`#12` dim) word-
    wrapped on up to `title_lines` lines, the last of them taking the rest of the title,
    then the details line, each cut with … where it does not fit; a short title leaves
    its spare lines blank under the details (a gap before the next card)."""
    lines = _title(item, max(1, width), title_lines)
    blank: list[_Line] = [("", [])] * (title_lines - len(lines))
    return [_runs(_cut(line, width)) for line in [*lines, _details(item, rollup, width), *blank]]


def _title(item: ItemView, width: int, count: int) -> list[_Line]:
    """`#12 Title` word-wrapped to `width`; lines past `count` are joined to the last
    one with a space (cut later)."""
    head = len(f"#{item.id}")
    text = f"#{item.id} {item.title}"
    starts = [0, *_breaks(text, width)]
    lines: list[tuple[str, int]] = []  # each line's text and where it starts in `text`
    for number, (start, end) in enumerate(zip(starts, [*starts[1:], len(text)], strict=True), 1):
        piece = text[start:end]
        if number < len(starts):  # white space at a break goes with the break
            piece = piece.rstrip()
        lines.append((_trim_end(_fit(piece, width), width), start))
    if len(lines) > count:
        rest, joined, spans = lines[count - 1 :], [], []
        offset = 0
        for piece, start in rest:
            if head > start and piece:
                spans.append((offset, offset + min(len(piece), head - start), DIM))
            joined.append(piece)
            offset += len(piece) + 1
        return [*(_dim_head(line, head) for line in lines[: count - 1]), (" ".join(joined), spans)]
    return [_dim_head(line, head) for line in lines]


def _dim_head(line: tuple[str, int], head: int) -> _Line:
    """A title line with the part of the `#12` it holds dim."""
    piece, start = line
    if head > start and piece:
        return piece, [(0, min(len(piece), head - start), DIM)]
    return piece, []


def _breaks(text: str, width: int) -> list[int]:
    """Where each new line starts when `text` is word-wrapped at `width` cells: a word
    keeps its trailing white space; a word longer than a line is folded across lines."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            pieces = chop_cells(word, width)
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = cell_len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (no ellipsis: the line after takes the rest)."""
    return text if cell_len(text) <= width else set_cell_size(text, width)


def _trim_end(text: str, width: int) -> str:
    """Drop trailing white space that runs past `width` characters."""
    excess = len(text) - width
    if excess > 0 and (space := len(text) - len(text.rstrip())):
        return text[: len(text) - min(space, excess)]
    return text


def _details(item: ItemView, rollup: Rollup | None, width: int) -> _Line:
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
    text = tag + separator + separator.join(details)
    return text, [(0, len(tag), style), (len(tag), len(text), DIM)]


def _cut(line: _Line, width: int) -> _Line:
    """The line cut to `width` cells with … at the end when it is longer; each character
    kept keeps its style, and the … takes the style of the character it replaces."""
    text, spans = line
    if cell_len(text) <= width:
        return line
    text = set_cell_size(text, width - 1) + ELLIPSIS if width else ""
    end = len(text)
    return text, [(start, min(stop, end), style) for start, stop, style in spans if start < end]


def _runs(line: _Line) -> list[Run]:
    """The line as consecutive runs of one style each (spans never overlap here)."""
    text, spans = line
    if not spans:
        return [(text, "")]
    runs: list[Run] = []
    position = 0
    for start, end, style in sorted(spans):
        if start > position:
            runs.append((text[position:start], ""))
        if end > start:
            runs.append((text[start:end], style))
        position = max(position, end)
    if position < len(text):
        runs.append((text[position:], ""))
    return runs


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
