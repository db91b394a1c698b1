"""Rules of items said once: kinds, ids, points, titles, the filter language and
Markdown output."""

from __future__ import annotations

import pytest

from tests.conftest import Seeded
from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Kind, parse_kind
from tpm_tui.services import backlog, validate
from tpm_tui.services.filters import parse_filter
from tpm_tui.text import markdown_text

pytestmark = pytest.mark.both_engines  # services behave the same on PostgreSQL


@pytest.mark.parametrize("word", ["tech_debt", "tech-debt", "Tech Debt", "techdebt", "de"])
def test_kind_words_are_read_in_one_place(word: str) -> None:
    assert parse_kind(word) is Kind.DEBT
    assert parse_filter(f"kind:{word.replace(' ', '_')}").kinds == (Kind.DEBT,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind:foo", "kind:foo"),
        ("kind:x", "kind:x"),
        ("points:abc", "points:abc"),
        ("points:>", "points:>"),
        ("epic:billing", "epic:billing"),
        ("feature:", "feature: needs a value"),
        ("owner:", "owner: needs a value"),
        (f"epic:{2**63}", "item id"),
        ("feature:0", "item id"),
        ("colour:red", "unknown filter colour"),
    ],
)
def test_half_typed_filters_are_errors_not_words(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_filter(f"invoices {text}")
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("value", [str(2**63), "0", "-3", "abc", "", "#", "1.5", "٣"])
def test_item_ids_outside_1_to_2_63_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="item id"):
        validate.item_id(value)


def test_item_ids_inside_the_range() -> None:
    assert validate.item_id("#12") == 12
    assert validate.item_id(str(2**63 - 1)) == 2**63 - 1


@pytest.mark.parametrize(
    "title", ["\u200b", "\u200c\u200d", "\u2060 \ufeff", "\u00ad\u200e", " \u200b\t"]
)
def test_titles_of_only_invisible_characters_are_empty(title: str) -> None:
    with pytest.raises(InvalidInput, match="is empty"):
        validate.title(title)


def test_a_title_with_an_invisible_character_and_words_is_kept() -> None:
    assert validate.title("Export\u200binvoices") == "Export\u200binvoices"


@pytest.mark.parametrize("value", ["abc", "-1", "101", True, 2.5])
def test_points_refusals_say_the_one_rule(value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        validate.points(value)
    assert validate.POINTS_RULE in str(raised.value)


def test_epics_and_features_carry_no_points_of_their_own(
    seeded: Seeded, db: Database, clock: Clock
) -> None:
    for kind in (Kind.EPIC, Kind.FEATURE):
        with pytest.raises(InvalidInput, match="roll-up") as raised:
            backlog.create_item(db, clock, kind, "Big", points=5)
        assert raised.value.field == "points"
    with pytest.raises(InvalidInput, match="roll-up"):
        backlog.edit_item(db, clock, seeded.feature, points=3)
    with pytest.raises(InvalidInput, match="roll-up"):
        backlog.edit_item(db, clock, seeded.debt, kind=Kind.FEATURE)
    moved = backlog.edit_item(db, clock, seeded.debt, kind=Kind.FEATURE, points=None)
    assert moved.kind is Kind.FEATURE and moved.points is None
    assert backlog.edit_item(db, clock, seeded.epic, points=None).points is None


def test_markdown_text_escapes_what_markdown_would_read() -> None:
    assert markdown_text(r"a\|b") == r"a\\\|b"
    assert markdown_text("<img src=x>") == r"\<img src=x\>"
    assert markdown_text("![i](u)") == r"!\[i\](u)"
    assert markdown_text("`code` *b* _i_ ~s~ &amp;") == r"\`code\` \*b\* \_i\_ \~s\~ \&amp;"
    assert markdown_text("Export invoices (v2).") == "Export invoices (v2)."
