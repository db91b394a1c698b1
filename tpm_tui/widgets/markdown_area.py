"""A Markdown editor that stays quick on long documents: Textual's TextArea, soft
wrapped, with Markdown highlighting computed only for the lines on screen.

Measured here on a 5,000-line PRD, Textual 8.2's TextArea spends its time in three
places this widget avoids:
- with `language="markdown"` (tree-sitter) every key re-parses the document and
  re-queries the highlights of every line: 80-150 ms a key;
- `WrappedDocument.height` sums the wrapped height of every line, and is read once per
  line drawn: ~40 ms a key with soft wrap;
- wrapping the whole document (several times while it opens) measures every line with
  general code for tabs and wide characters: ~70 µs a line.
Here the highlights come from a small line-based Markdown reader (headings, emphasis,
code, links, list markers, quotes, notes and fenced blocks), computed for a line when it
is drawn; the height is the length of a list kept anyway; and a plain ASCII line
without tabs is wrapped by a short path that gives the same breaks (a test compares).
And a key repaints the rows it changed, not the whole widget: TextArea repaints every
row on screen each time the cursor moves, and Textual styles each repainted row again
even when the row itself is kept (about 5 ms a key on 40 rows). A test compares the
screen after each kind of key with the screen painted afresh.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import sub
from typing import TYPE_CHECKING, Any

from textual._wrap import compute_wrap_offsets
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.document._document import EditResult
    from textual.document._edit import Edit
    from textual.widgets.text_area import Highlight

_CHUNK = re.compile(r"\S+\s*|\s+")
_WORD_START = re.compile(r"(?<=\s)(?=\S)")  # where a chunk after the first starts
ROWS_KEPT = 4096  # drawn rows kept (a few screens' worth, then started afresh)


def ascii_wrap_offsets(line: str, width: int) -> list[int]:
    """Where Textual's wrapping breaks a plain ASCII line without tabs: the same
    offsets as `compute_wrap_offsets(line, width, ...)`, without its general path.
    A chunk (a word with the spaces after it) goes on a row while it ends within the
    width, so with no chunk wider than a row each row ends at the last chunk boundary
    that fits (found by bisection, not word by word)."""
    bounds = [0, *(m.start() for m in _WORD_START.finditer(line)), len(line)]
    if max(map(sub, bounds[1:], bounds)) <= width:
        breaks = []
        end, last = width, len(line)
        while end < last:
            row_end = bounds[bisect_right(bounds, end) - 1]
            breaks.append(row_end)
            end = row_end + width
        return breaks
    return _folding_wrap_offsets(line, width)


def _folding_wrap_offsets(line: str, width: int) -> list[int]:
    """`ascii_wrap_offsets` of a line with a chunk wider than a row (folded)."""
    breaks: list[int] = []
    cell = 0
    for match in _CHUNK.finditer(line):
        start, end = match.span()
        size = end - start
        if width - cell >= size:
            cell += size
        elif size > width:  # a word longer than a line is folded at the width
            pieces = range(start, end, width)
            last = pieces[-1]
            for piece in pieces:
                if piece:
                    breaks.append(piece)
                if piece == last:
                    cell = end - piece
        elif cell and start:
            breaks.append(start)
            cell = size
    return breaks


class QuickWrap(WrappedDocument):
    """Textual's wrapped document with a constant-time height and a short path for
    plain lines (most of a Markdown document)."""

    _edits = 0  # edits wrapped line by line since the document was set
    _wrapped_for: tuple[int, int, int, int] | None = None  # the last full wrap's inputs

    @property
    def height(self) -> int:
        """The wrapped document's height: one entry per screen line is kept anyway."""
        return len(self._offset_to_line_info)

    def wrap_range(self, *args: Any, **kwargs: Any) -> None:
        """Re-wrap the lines an edit changed, as Textual does (and count the edit)."""
        self._edits += 1
        super().wrap_range(*args, **kwargs)

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        """Wrap every line at `width` (0: no wrapping), as Textual does. Asked again
        for the same width with no edit since (the scrollbar showing up, then the
        resize, each ask while a document opens), the wrapping is already right."""
        key = (width, tab_width or self._tab_width, self._edits, id(self.document))
        if key == self._wrapped_for:
            return
        self._wrapped_for = key
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        tab = self._tab_width
        lines = self.document.lines
        # A plain ASCII line without tabs (most of a document) takes the short path; its
        # tab widths are get_tab_widths's: [0], and none for "".
        plain = ["\t" not in line and line.isascii() for line in lines]
        self._tab_width_cache = [
            ([0] if line else []) if simple else [w for _, w in get_tab_widths(line, tab)]
            for line, simple in zip(lines, plain, strict=True)
        ]
        if not width:  # nothing wraps (before the first layout): a row per line
            count = len(lines)
            self._wrap_offsets = [[] for _ in range(count)]
            self._offset_to_line_info = [(index, 0) for index in range(count)]
            self._line_index_to_offsets = [[index] for index in range(count)]
            return
        wrap_offsets: list[list[int]] = []
        line_info: list[tuple[int, int]] = []
        line_offsets: list[list[int]] = []
        add_breaks, add_info, add_offsets = (
            wrap_offsets.append,
            line_info.append,
            line_offsets.append,
        )
        offset = 0
        for index, line in enumerate(lines):
            if plain[index]:
                if len(line) <= width:
                    add_breaks([])
                    add_info((index, 0))
                    add_offsets([offset])
                    offset += 1
                    continue
                breaks = ascii_wrap_offsets(line, width)
            else:
                sections = get_tab_widths(line, tab)
                breaks = compute_wrap_offsets(line, width, tab, precomputed_tab_sections=sections)
            add_breaks(breaks)
            rows = len(breaks) + 1
            add_offsets(list(range(offset, offset + rows)))
            line_info.extend([(index, section) for section in range(rows)])
            offset += rows
        self._wrap_offsets = wrap_offsets
        self._offset_to_line_info = line_info
        self._line_index_to_offsets = line_offsets


# ---------------------------------------------------------------- highlighting

_HEADING = re.compile(r" {0,3}(#{1,6})(?=\s|$)")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_LIST = re.compile(r" *(?:[-*+]|\d{1,9}[.)])(?=\s)")
_QUOTE = re.compile(r" {0,3}>")
_RULE = re.compile(r" {0,3}([-*_])(?:\s*\1){2,}\s*$")
_INLINE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|(?P<bold>\*\*[^*\s](?:[^*]*[^*\s])?\*\*|__[^_\s](?:[^_]*[^_\s])?__)"
    r"|(?P<italic>(?<![*\w])\*[^*\s](?:[^*]*[^*\s])?\*(?!\*)|(?<![_\w])_[^_\s](?:[^_]*[^_\s])?_(?!\w))"
    r"|(?P<strike>~~[^~]+~~)"
    r"|(?P<link>!?\[[^\]]*\]\([^)\s]*\))"
)
_LINK_PARTS = re.compile(r"(!?\[[^\]]*\])(\([^)]*\))")


def _bytes(line: str, index: int) -> int:
    """The UTF-8 byte offset of a character index (the TextArea's highlight unit)."""
    return index if line.isascii() else len(line[:index].encode("utf-8"))


def line_highlights(line: str, state: str) -> list[Highlight]:
    """The highlights of one line of Markdown, given the block it is in: `fence`
    (inside a fenced code block), `note` (inside an HTML comment), or `text`."""
    if state == "fence":
        return [(0, None, "inline_code")]
    out: list[Highlight] = []
    if state == "note":
        end = line.find("-->")
        if end < 0:
            return [(0, None, "comment")]
        out.append((0, _bytes(line, end + 3), "comment"))
        return out
    if _FENCE.match(line):
        return [(0, None, "inline_code")]
    if (heading := _HEADING.match(line)) is not None:
        return [(0, heading.end(1), "heading.marker"), (heading.end(1), None, "heading")]
    if _RULE.match(line):
        return [(0, None, "heading.marker")]
    if (marker := _LIST.match(line) or _QUOTE.match(line)) is not None:
        out.append((0, _bytes(line, marker.end()), "list.marker"))
    for match in _INLINE.finditer(line):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "link":
            parts = _LINK_PARTS.match(match.group())
            assert parts is not None
            middle = start + len(parts.group(1))
            out.append((_bytes(line, start), _bytes(line, middle), "link.label"))
            out.append((_bytes(line, middle), _bytes(line, end), "link.uri"))
        else:
            name = {"code": "inline_code", "strike": "strikethrough"}.get(kind or "", kind)
            out.append((_bytes(line, start), _bytes(line, end), str(name)))
    note = line.find("<!--")
    if note >= 0:
        out.append((_bytes(line, note), None, "comment"))
    return out


class LazyHighlights(dict[int, list["Highlight"]]):
    """The TextArea's per-line highlights, computed when a line is first drawn. Each
    line's block (inside a fence or a note) comes from one scan of the lines above it,
    kept until the next edit."""

    def __init__(self, area: MarkdownArea) -> None:
        super().__init__()
        self.area = area
        self.states: list[str] = []

    def __bool__(self) -> bool:
        return True  # the TextArea skips highlighting on an empty mapping

    def reset(self, top: int = 0) -> None:
        """Forget what an edit from line `top` down may have changed (a line's block
        depends only on the lines above it)."""
        if top <= 0:
            self.clear()
            self.states = []
            return
        for index in [i for i in self if i >= top]:
            del self[index]
        del self.states[top:]

    def __missing__(self, index: int) -> list[Highlight]:
        lines = self.area.document.lines
        if index >= len(lines):
            return []
        self._scan_to(lines, index)
        found = line_highlights(lines[index], self.states[index])
        self[index] = found
        return found

    def _scan_to(self, lines: list[str], index: int) -> None:
        states = self.states
        state = "text"
        if states:
            state = _next_state(lines[len(states) - 1], states[-1])
        for number in range(len(states), index + 1):
            states.append(state)
            state = _next_state(lines[number], state)


_MARKS = ("```", "~~~", "<!--", "-->")


def _marks(*lines: str) -> bool:
    """Whether any of `lines` holds a mark that opens or closes a block (a fence, a
    note): changing such a line may change the block of every line below it."""
    return any(mark in line for line in lines for mark in _MARKS)


def _next_state(line: str, state: str) -> str:
    """The block the next line is in, after `line` (in `state`)."""
    if state == "fence":
        return "text" if _FENCE.match(line) else "fence"
    if state == "note":
        return "text" if "-->" in line else "note"
    if _FENCE.match(line):
        return "fence"
    opened = line.rfind("<!--")
    if opened >= 0 and line.find("-->", opened) < 0:
        return "note"
    return "text"


class MarkdownArea(TextArea):
    """A soft-wrapped Markdown editor (see the module's notes on speed)."""

    DEFAULT_CSS = """
    MarkdownArea {
        scrollbar-gutter: stable;  /* the scrollbar showing up never re-wraps the text */
    }
    """

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        # Opened empty, then given its text: Textual's constructor would wrap it all once
        # more with its own (slower) document first.
        super().__init__(
            "",
            soft_wrap=True,
            tab_behavior="indent",
            show_line_numbers=False,
            highlight_cursor_line=False,
            **kwargs,
        )
        if text:
            self._set_document(text, None)

    # A moved cursor or selection repaints the rows it touches (`_watch_selection`), not
    # the whole widget as TextArea's does: each row repainted costs Textual's styling
    # of the line even when the row itself is kept (about 5 ms a key on 40 rows).
    selection = reactive(Selection(), init=False, always_update=True, repaint=False)

    _edited_from: int | None = None
    _drawing = False  # inside render_line (see `text`)
    _rows: dict[tuple[object, ...], Strip] | None = None  # drawn rows (see `render_line`)

    def render_line(self, y: int) -> Strip:
        """One screen line, as Textual draws it, kept for as long as what it shows is
        unchanged. With soft wrap Textual's own cache of lines is keyed on the selection,
        and emptied by every edit: each key redrew every line on screen. Here a row is
        keyed on what it shows — its part of its line's text, the line's highlights, and
        the cursor, selection and matching bracket only where they touch the line — so a
        key redraws the line it changed (and scrolling reuses rows already drawn)."""
        if self.placeholder:
            return super().render_line(y)
        key = self._row_key(y)
        rows = self._rows
        if rows is None or len(rows) > ROWS_KEPT:
            rows = self._rows = {}
        elif key is not None and (found := rows.get(key)) is not None:
            return found
        # Textual first asks `not self.text` (for a placeholder), which joins the whole
        # document for every line drawn; with no placeholder it is answered cheaply.
        self._drawing = True
        try:
            strip = super().render_line(y)
        finally:
            self._drawing = False
        if key is not None:
            rows[key] = strip
        return strip

    def _row_key(self, y: int) -> tuple[object, ...] | None:
        """Everything screen line `y` depends on (None below the document's end)."""
        scroll_x, scroll_y = self.scroll_offset
        wrapped = self.wrapped_document
        try:
            index, section = wrapped._offset_to_line_info[scroll_y + y]
        except IndexError:
            return None
        selection = self.selection
        start, end = sorted((selection.start, selection.end))
        touched = start[0] <= index <= end[0]  # the cursor's line, or a selected one
        bracket = self._matching_bracket_location
        return (
            self.size,
            scroll_x,
            index,
            section,
            self.document[index],
            tuple(wrapped._wrap_offsets[index]),
            tuple(self._highlights[index]),
            (selection, self._cursor_visible, self.suggestion) if touched else None,
            bracket if bracket is not None and bracket[0] == index else None,
            self.has_focus,
            self.theme,
            self.soft_wrap,
            self.show_line_numbers and self.document.line_count,
            self.read_only,
            self.show_cursor,
            self.cursor_blink,
            self.match_cursor_bracket,
            self.highlight_cursor_line,
        )

    def notify_style_update(self) -> None:
        """Styles changed: every row is drawn afresh."""
        self._rows = None
        super().notify_style_update()

    def _rewrap_and_refresh_virtual_size(self) -> None:
        """Wrapped again (a new width or document): every row is drawn afresh."""
        self._rows = None
        super()._rewrap_and_refresh_virtual_size()

    @property
    def text(self) -> str:
        """The whole document's text (while a line is drawn: only whether it is empty)."""
        if self._drawing:
            return " " if self.document.line_count > 1 or self.document[0] else ""
        return self.document.text

    @text.setter
    def text(self, value: str) -> None:
        """Replace the text (clears the edit history), as TextArea's `text` does."""
        self.load_text(value)

    def edit(self, edit: Edit) -> EditResult:
        """Perform an edit, noting its first line (highlights above it stay), and repaint
        what it changed: the line, or every row from it down when lines came or went, a
        line's wrapping changed the height, or a fence or note mark was typed or removed
        (the lines below may have changed block)."""
        top = edit.top[0]
        before = self.document[top]
        height = self.wrapped_document.height
        self._edited_from = top
        try:
            result = super().edit(edit)
        finally:
            self._edited_from = None
        one_line = edit.bottom[0] == top == result.end_location[0]
        after = self.document[top]
        if one_line and height == self.wrapped_document.height and not _marks(before, after):
            rows = self.wrapped_document._line_index_to_offsets[top]
            self.refresh_lines(rows[0], len(rows))
        else:
            self._repaint_from(top)
        return result

    def _undo_batch(self, edits: Sequence[Edit]) -> None:
        super()._undo_batch(edits)
        self.refresh()  # (undone edits may span the document)

    def _redo_batch(self, edits: Sequence[Edit]) -> None:
        super()._redo_batch(edits)
        self.refresh()

    def _repaint_from(self, line: int) -> None:
        """Repaint every row on screen from document line `line` down."""
        offsets = self.wrapped_document._line_index_to_offsets
        first = offsets[line][0] if line < len(offsets) else self.wrapped_document.height
        top = max(first, round(self.scroll_y))
        self.refresh_lines(top, max(1, self.size.height - (top - round(self.scroll_y))))

    def _watch_selection(self, previous: Selection, selection: Selection) -> None:
        """Scroll the cursor into view (TextArea's), then repaint the rows of the lines the
        previous and the new selection touch, and of the brackets matched before and
        now (a scroll repaints everything itself)."""
        old_bracket = self._matching_bracket_location
        super()._watch_selection(previous, selection)
        if not self.is_mounted:
            return
        spans = [sorted((chosen.start[0], chosen.end[0])) for chosen in (previous, selection)]
        spans += [[b[0], b[0]] for b in (old_bracket, self._matching_bracket_location) if b]
        offsets = self.wrapped_document._line_index_to_offsets
        last = len(offsets) - 1
        for first_line, last_line in spans:
            if first_line <= last:
                top, bottom = offsets[first_line][0], offsets[min(last_line, last)][-1]
                self.refresh_lines(top, bottom - top + 1)

    def _set_document(self, text: str, language: str | None) -> None:
        """A plain document wrapped by QuickWrap (Textual's own set-up would wrap the
        whole text once more with its slower code first)."""
        super()._set_document("", None)
        document = Document(text)
        self.document = document
        self.wrapped_document = QuickWrap(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._highlights = LazyHighlights(self)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _build_highlight_map(self) -> None:
        """After an edit: drop the cached lines and highlights (recomputed when drawn)."""
        self._line_cache.clear()
        highlights = self._highlights
        if isinstance(highlights, LazyHighlights):
            highlights.reset(self._edited_from or 0)
        else:
            highlights.clear()
