"""The PRD editor keeps the rows it drew: a key redraws only the line it changed, and
every row it shows — after typing, moving, selecting, undoing, opening a fence far
above, scrolling far down — is the row Textual draws afresh. Its keys are one line of
text (the app's KeyBar)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Footer

from tpm_tui.screens.prd import DocumentEditor, EditorApp
from tpm_tui.widgets.key_bar import KeyBar
from tpm_tui.widgets.markdown_area import LazyHighlights, MarkdownArea


def _text(lines: int = 3000) -> str:
    out: list[str] = []
    for i in range(lines // 6):
        out += [
            f"## Section {i}",
            f"Some **bold** text, a [link](https://example.com/{i}) and `code` in a paragraph "
            f"long enough to wrap on a narrow terminal, number {i}.",
            "- a requirement *with emphasis*",
            "<!-- a note -->",
            "",
            "plain words",
        ]
    return "\n".join(out)


class Editor(App[None]):
    def compose(self) -> ComposeResult:
        yield MarkdownArea(_text())

    def on_mount(self) -> None:
        self.area.focus()
        self.area.cursor_blink = False  # a blink would redraw the cursor's row

    @property
    def area(self) -> MarkdownArea:
        return self.query_one(MarkdownArea)


def _shown(area: MarkdownArea) -> list[Strip]:
    return [area.render_line(y) for y in range(area.size.height)]


def _afresh(area: MarkdownArea) -> list[Strip]:
    """The rows as Textual draws them with nothing kept, and the highlights from a
    fresh scan of the whole text."""
    area._rows = None
    area._line_cache.clear()
    fresh = LazyHighlights(area)
    info = area.wrapped_document._offset_to_line_info
    top = area.scroll_offset.y
    for index in {i for i, _ in info[top : top + area.size.height]}:
        assert area._highlights[index] == fresh[index]
    return _shown(area)


def _same(area: MarkdownArea) -> None:
    kept = _shown(area)
    assert [s.text for s in kept] == [s.text for s in _afresh(area)]
    assert kept == _afresh(area)


async def test_a_key_redraws_only_the_line_it_changed() -> None:
    app = Editor()
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.area
        area.move_cursor((1500, 3))
        await pilot.pause()
        drawn: list[int] = []
        real = area._render_line

        def counted(y: int) -> Strip:
            drawn.append(y)
            return real(y)

        area._render_line = counted  # type: ignore[method-assign]
        await pilot.press("x")
        await pilot.pause()
        assert 0 < len(drawn) <= 3  # the cursor's line (wrapped on up to 3 rows)
        drawn.clear()
        await pilot.press("down")
        await pilot.pause()
        assert 0 < len(drawn) <= 6  # the line the cursor left and the one it reached


async def test_every_row_shown_is_the_row_textual_draws() -> None:
    app = Editor()
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.area
        steps: list[Any] = [
            lambda: area.move_cursor((1500, 3)),
            lambda: pilot.press(*"abc ", "enter", "**"),
            lambda: pilot.press("shift+down", "shift+down", "shift+right"),
            lambda: pilot.press("ctrl+z"),
            lambda: pilot.press("backspace", "left", "("),
            lambda: area.move_cursor((0, 0)),
            lambda: area.move_cursor((4, 0)),  # an empty line, the rows below drawn
            lambda: pilot.press(*"```"),  # a fence opened: the same lines below are code
            lambda: area.scroll_to(y=area.max_scroll_y, animate=False),
            lambda: area.move_cursor((area.document.line_count - 1, 0)),
            lambda: pilot.press(*"```", "enter", "enter"),
            lambda: area.scroll_to(y=area.max_scroll_y // 2, animate=False),
        ]
        for step in steps:
            done = step()
            if done is not None:
                await done
            await pilot.pause()
            _same(area)
        fenced = area._highlights[
            area.wrapped_document._offset_to_line_info[area.scroll_offset.y][0]
        ]
        assert fenced == [(0, None, "inline_code")]


async def test_the_editor_lists_its_keys_on_one_line_not_a_widget_each() -> None:
    app = EditorApp("PRD", _text(60), lambda _: "saved", None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, DocumentEditor)
        assert not editor.query(Footer)  # Textual's rebuilt a widget per key on each focus
        keys = str(editor.query_one(KeyBar).render())
        assert "Save" in keys and "Close" in keys and "Preview" in keys


def _painted(app: App[Any]) -> str:
    """The screen as the terminal would be sent it in full: every row as painted, kept
    rows included (a row not repainted after a change would still show the old text)."""
    update = app.screen._compositor.render_update(full=True)
    assert update is not None
    return update.render_segments(app.console)  # type: ignore[attr-defined]


async def test_the_screen_after_every_key_is_the_screen_painted_afresh() -> None:
    # A key repaints only the rows it touched; whatever else changed must be repainted too.
    app = Editor()
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.area
        link = area.document[1].index("(")
        steps: list[Any] = [
            lambda: area.move_cursor((1500, 3)),
            lambda: pilot.press(*"abc "),  # on one line
            lambda: pilot.press("enter", "x"),  # a line more: the rows below move
            lambda: pilot.press("home", "backspace"),  # lines joined
            lambda: pilot.press(*("a" * 90)),  # the line wraps onto another row
            lambda: pilot.press("shift+up", "shift+up", "shift+left"),  # a selection grows
            lambda: pilot.press("shift+down"),  # and shrinks
            lambda: pilot.press("right"),  # and goes
            lambda: pilot.press("ctrl+z", "ctrl+z"),
            lambda: pilot.press("ctrl+y"),
            lambda: area.move_cursor((1, link)),  # on a bracket: its match is marked
            lambda: pilot.press("right"),  # and unmarked
            lambda: area.move_cursor((4, 0)),
            lambda: pilot.press("("),
            lambda: area.move_cursor((5, len(area.document[5]))),
            lambda: pilot.press(")"),
            lambda: area.move_cursor((4, 0)),  # its match marked a line below
            lambda: pilot.press("right"),  # and unmarked there
            lambda: area.move_cursor((10, 0)),
            lambda: pilot.press(*"<!--"),  # a note opened: the lines below are notes
            lambda: pilot.press("backspace"),  # and closed again
            lambda: pilot.press("ctrl+a"),  # the whole document selected
            lambda: pilot.press("delete"),
            lambda: pilot.press("ctrl+z"),
        ]
        for number, step in enumerate(steps):
            done = step()
            if done is not None:
                await done
            await pilot.pause()
            shown = _painted(app)
            area._rows = None
            area.refresh()
            await pilot.pause()
            assert shown == _painted(app), f"step {number}: a row was not repainted"
