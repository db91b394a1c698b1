"""The PRD editor's quick paths give what Textual's own code gives: the same line
breaks, the same wrapped document, and Markdown highlights per line."""

from __future__ import annotations

import random

import pytest
from textual._wrap import compute_wrap_offsets
from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument

from tpm_tui.widgets.markdown_area import (
    LazyHighlights,
    QuickWrap,
    ascii_wrap_offsets,
    line_highlights,
)

WORDS = ["a", "word", "longer", "x" * 30, "https://example.com/a/very/long/path", "  ", " ", "-"]


def _lines(seed: int, count: int = 300) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(0, 25))]
        line = " ".join(words)
        if rng.random() < 0.1:
            line = "\t" + line
        if rng.random() < 0.1:
            line += " é漢字"
        out.append(line)
    return out


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("width", [1, 7, 20, 40, 113])
def test_ascii_breaks_are_textuals(seed: int, width: int) -> None:
    for line in _lines(seed):
        if "\t" in line or not line.isascii():
            continue
        assert ascii_wrap_offsets(line, width) == compute_wrap_offsets(line, width, 4), line


@pytest.mark.parametrize("width", range(2, 14))
def test_rows_ending_exactly_at_the_width_break_as_textuals(width: int) -> None:
    # Short words and runs of spaces: chunks ending at, just before and just past the
    # width, lines ending in spaces (the bisection path; the folding one for long runs).
    rng = random.Random(width)
    for _ in range(400):
        words = [rng.choice(["a", "ab", "abc", " ", "  ", "abcdef"]) for _ in range(12)]
        line = rng.choice(["", " ", "  "]) + " ".join(words) + rng.choice(["", " ", "   "])
        assert ascii_wrap_offsets(line, width) == compute_wrap_offsets(line, width, 4), line


def _state(wrapped: WrappedDocument) -> tuple[object, ...]:
    return (
        wrapped._wrap_offsets,
        wrapped._offset_to_line_info,
        wrapped._line_index_to_offsets,
        wrapped._tab_width_cache,
        wrapped.height,
    )


@pytest.mark.parametrize("width", [0, 12, 50, 113])
def test_the_wrapped_document_is_textuals(width: int) -> None:
    text = "\n".join(_lines(7))
    ours, theirs = QuickWrap(Document(text)), WrappedDocument(Document(text))
    ours.wrap(width, 4)
    theirs.wrap(width, 4)
    assert _state(ours) == _state(theirs)


def test_an_edit_then_the_same_width_rewraps_nothing_wrong() -> None:
    text = "\n".join(_lines(3, 50))
    document = Document(text)
    ours = QuickWrap(document)
    ours.wrap(30, 4)
    result = document.replace_range(
        (2, 0), (4, 0), "a new line that is long enough to wrap twice\n"
    )
    ours.wrap_range((2, 0), (4, 0), result.end_location)
    ours.wrap(30, 4)  # e.g. a resize to the same width: must not keep a stale wrap
    fresh = WrappedDocument(Document(document.text))
    fresh.wrap(30, 4)
    assert _state(ours) == _state(fresh)


def test_markdown_highlights_per_line() -> None:
    assert line_highlights("## Problem", "text") == [(0, 2, "heading.marker"), (2, None, "heading")]
    assert line_highlights("code", "fence") == [(0, None, "inline_code")]
    assert line_highlights("still a note", "note") == [(0, None, "comment")]
    found = line_highlights("- a **bold** `x` [l](u) é *i*", "text")
    names = [name for _, _, name in found]
    assert names == ["list.marker", "bold", "inline_code", "link.label", "link.uri", "italic"]
    # offsets are in UTF-8 bytes, as the TextArea counts them
    before = "- a **bold** `x` [l](u) é "
    assert found[-1] == (len(before.encode()), len((before + "*i*").encode()), "italic")


def test_blocks_come_from_the_lines_above() -> None:
    class Area:
        def __init__(self, lines: list[str]) -> None:
            self.document = Document("\n".join(lines))

    lines = ["text", "```", "## not a heading", "```", "<!-- a", "note", "-->", "## heading"]
    highlights = LazyHighlights(Area(lines))  # type: ignore[arg-type]
    assert highlights[2] == [(0, None, "inline_code")]
    assert highlights[5] == [(0, None, "comment")]
    assert highlights[7] == [(0, 2, "heading.marker"), (2, None, "heading")]
    assert highlights.states == ["text", "text", "fence", "fence", "text", "note", "note", "text"]


def test_a_second_wrap_at_the_same_width_is_skipped_until_an_edit() -> None:
    document = Document("\n".join(_lines(4, 40)))
    ours = QuickWrap(document)
    ours.wrap(30, 4)
    marker: list[list[int]] = [[-1]]
    ours._wrap_offsets = marker
    ours.wrap(30, 4)  # the scrollbar showed up, then a resize to the same width
    assert ours._wrap_offsets is marker
    result = document.replace_range((0, 0), (0, 0), "x")
    ours.wrap_range((0, 0), (0, 0), result.end_location)
    ours.wrap(30, 4)
    assert ours._wrap_offsets is not marker
