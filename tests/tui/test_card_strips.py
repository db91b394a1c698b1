"""The card's own layout (`card_lines`) and its strips read exactly as Textual's text
rendering drew them before: the same cuts, the same wraps, the same styles, user text
kept literal and wide characters aligned."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.style import Style as RichStyle
from textual.app import App, ComposeResult
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, Visual

from tpm_tui.kinds import Kind
from tpm_tui.services.backlog import ItemView, Rollup
from tpm_tui.widgets.card import COMPACT_BELOW, KIND_TAGS, Run, card_lines
from tpm_tui.widgets.kanban_column import PADDING, CardList

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def item(
    title: str,
    id: int = 12,
    kind: Kind = Kind.STORY,
    points: int | None = 5,
    owner: str = "",
    epic: str | None = None,
) -> ItemView:
    """A card's item with only what a card shows set."""
    return ItemView(
        id=id,
        kind=kind,
        title=title,
        status="todo",
        rank=0,
        points=points,
        parent_id=None,
        sprint_id=None,
        sprint=None,
        owner=owner,
        start_date=None,
        target_date=None,
        description="",
        acceptance="",
        goal_id=None,
        epic_id=None,
        epic_title=epic,
        created_at=NOW,
        updated_at=NOW,
        done_at=None,
        archived_at=None,
    )


# ---------------------------------------------------------------- the former renderer


def _old_details(item: ItemView, rollup: Rollup | None, width: int) -> Content:
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
    if item.owner:
        details.append(f"@{item.owner}")
    if item.epic_title:
        details.append(item.epic_title)
    separator = " " if compact else " · "
    return Content.assemble((tag, style), (separator + separator.join(details), "dim"))


def old_content(item: ItemView, rollup: Rollup | None, width: int, title_lines: int) -> Content:
    """The card as Textual Content, as the board built it before its own layout."""
    title = Content.assemble((f"#{item.id}", "dim"), " ", item.title)
    lines = title.wrap(max(1, width))
    if len(lines) > title_lines:
        lines = [*lines[: title_lines - 1], Content(" ").join(lines[title_lines - 1 :])]
    blank = [Content("")] * (title_lines - len(lines))
    return Content("\n").join([*lines, _old_details(item, rollup, width), *blank])


def old_lines(
    item: ItemView, rollup: Rollup | None, width: int, title_lines: int
) -> list[list[Run]]:
    """What Textual's renderer (no wrap, ellipsis) made of it, as runs named by style."""
    content = old_content(item, rollup, width, title_lines)
    lines = []
    for line in content.split("\n", allow_blank=True):
        cut = line.truncate(width, ellipsis=True)
        # each style name becomes a link, so the rendered runs say which name they had
        runs = cut.render(Style(), end="", parse_style=lambda name: Style(link=str(name)))
        lines.append([(text, style.link or "") for text, style in runs])
    return lines


# ---------------------------------------------------------------- the layout


def texts(lines: list[list[Run]]) -> list[str]:
    return ["".join(text for text, _ in line) for line in lines]


def test_a_title_that_fits_exactly_is_not_cut() -> None:
    title = "Export invoices"  # `#12 Export invoices`: 19 cells
    assert texts(card_lines(item(title), None, 19, 1))[0] == "#12 Export invoices"
    assert texts(card_lines(item(title), None, 18, 1))[0] == "#12 Export invoic…"


def test_the_id_is_dim_and_the_title_plain() -> None:
    assert card_lines(item("Export"), None, 30, 1)[0] == [("#12", "dim"), (" Export", "")]


def test_an_overlong_title_takes_two_lines_and_ends_with_an_ellipsis() -> None:
    title = "Export every invoice of the quarter as a PDF for the auditors"
    lines = texts(card_lines(item(title), None, 20, 2))
    assert lines[:2] == ["#12 Export every", "invoice of the quar…"]
    assert all(cell_len(line) <= 20 for line in lines)


def test_a_two_line_title_breaks_at_the_last_word_that_fits() -> None:
    # `#12 Export every` is 16 cells: at 16 the break comes after `every`, at 15 before
    assert texts(card_lines(item("Export every invoice"), None, 16, 2))[:2] == [
        "#12 Export every",
        "invoice",
    ]
    assert texts(card_lines(item("Export every invoice"), None, 15, 2))[:2] == [
        "#12 Export",
        "every invoice",
    ]


def test_a_short_title_leaves_its_spare_line_blank_under_the_details() -> None:
    lines = texts(card_lines(item("Export", owner="ana"), None, 30, 2))
    assert lines == ["#12 Export", "STORY · 5 pts · @ana", ""]


def test_markup_like_text_stays_text() -> None:
    title = "[bold]not bold[/] [@click=app.quit]bye[/]"
    lines = card_lines(item(title, owner="[red]x"), None, 60, 1)
    assert texts(lines)[0] == f"#12 {title}"
    assert "@[red]x" in texts(lines)[1]
    assert all(name in ("", "dim") for _, name in lines[0])


def test_wide_characters_are_cut_on_cell_boundaries() -> None:
    title = "請求書をPDFで出力する機能"
    for width in range(4, 30):
        for line in texts(card_lines(item(title, owner="田中"), None, width, 2)):
            assert cell_len(line) <= width, (width, line)
    # a wide character that would straddle the cut gives way to a space before the …
    assert texts(card_lines(item("請求書"), None, 8, 1))[0] == "#12 請 …"


def test_the_details_cut_takes_the_epic_first_and_its_ellipsis_is_dim() -> None:
    line = card_lines(item("x", owner="ana", epic="Self-serve invoicing"), None, 24, 1)[1]
    assert "".join(text for text, _ in line) == "STORY · 5 pts · @ana · …"
    assert line[0] == ("STORY", "bold $success") and line[-1][1] == "dim"


def test_epics_show_their_roll_up_and_narrow_cards_the_short_form() -> None:
    rollup = Rollup(total_points=20, done_points=5, items=4, done_items=1)
    epic = item("Billing", kind=Kind.EPIC, points=None)
    assert texts(card_lines(epic, rollup, 30, 1))[1] == "EPIC · 25% of 20 pts"
    assert texts(card_lines(epic, None, 30, 1))[1] == "EPIC · no items yet"
    assert texts(card_lines(item("x", owner="ana"), None, 16, 1))[1] == "STORY 5p @ana"


# Titles as people type them: words, wide characters, emoji, brackets, runs of spaces.
_TEXT = st.lists(
    st.sampled_from(
        [
            *"abcdefghij",
            "  ",
            " ",
            "請",
            "求",
            "書",
            "　",
            "🚀",
            "👩\u200d💻",
            "é",
            "[",
            "]",
            "/",
            "…",
            "-",
            "Ünï",
            "supercalifragilistic",
        ]
    ),
    min_size=1,
    max_size=30,
).map(lambda parts: "".join(parts).strip() or "x")


@settings(max_examples=400, deadline=None)
@given(
    title=_TEXT,
    id=st.integers(1, 123456),
    width=st.integers(1, 45),
    title_lines=st.integers(1, 2),
    kind=st.sampled_from(list(Kind)),
    owner=st.sampled_from(["", "ana", "田中"]),
    epic=st.one_of(st.none(), _TEXT),
)
def test_the_layout_is_what_textual_drew(
    title: str, id: int, width: int, title_lines: int, kind: Kind, owner: str, epic: str | None
) -> None:
    card = item(title, id=id, kind=kind, owner=owner, epic=epic)
    rollup = Rollup(total_points=8, done_points=3, items=2, done_items=1)
    assert card_lines(card, rollup, width, title_lines) == old_lines(
        card, rollup, width, title_lines
    )


# ---------------------------------------------------------------- the strips


class Cards(App[None]):
    """One column's card list on its own."""

    CSS = """
    CardList { text-wrap: nowrap; text-overflow: ellipsis; background: $surface; }
    CardList > .card-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """

    def compose(self) -> ComposeResult:
        yield CardList()


def _plain(strip: Strip) -> list[tuple[str, RichStyle | None, object]]:
    """A strip's segments with their styles and the positions Textual notes in them for
    text selection (which also decide how a screenshot groups the text)."""
    return [(text, style, style.meta if style else None) for text, style, _ in strip]


async def test_the_strips_are_segment_for_segment_what_textual_drew() -> None:
    cards = [
        item("Export invoices"),
        item("Export every invoice of the quarter as a PDF for the auditors", owner="ana"),
        item("請求書をPDFで出力する機能", owner="田中", epic="請求"),
        item("🚀 Launch the 👩\u200d💻 developer portal", kind=Kind.BUG, points=None),
        item("[bold]not bold[/] and no colour", kind=Kind.DEBT, points=1),
        item("全角スペース　と　絵文字 🎉🎉🎉 が混ざったとても長いタイトル", kind=Kind.FEATURE),
        item("Billing", kind=Kind.EPIC, points=None, epic=None),
    ]
    app = Cards()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        widget = app.query_one(CardList)
        for style in (
            widget.get_visual_style("card-list--card"),
            widget.get_visual_style("card-list--card", "card-list--cursor"),
        ):
            for width in (8, 16, 22, 31, 40):
                for lines in (1, 2):
                    widget.title_lines = lines
                    for card in cards:
                        content = old_content(card, None, width - PADDING.width, lines)
                        old = Visual.to_strips(
                            widget, Padding(content, PADDING), width, lines + 1, style
                        )
                        new = widget.render_card(card, None, width, style)
                        assert [_plain(s) for s in new] == [_plain(s) for s in old], (
                            card.title,
                            width,
                            lines,
                        )
                        assert all(s.cell_length == width for s in new)
