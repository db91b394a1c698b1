"""Quick-log lines in the whole grammar (durations or spans, @dates and @times), and the
preview against the save: a line the preview accepts is saved exactly as previewed, a
line it refuses is refused by the save with the same words, and nothing else changes."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import NOW, location_for
from tests.reliability.figures import record
from tests.reliability.test_fuzz import RUN  # the same case count (TPM_FUZZ_CASES)
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.durations import format_duration
from tpm_tui.errors import InvalidInput
from tpm_tui.services import backlog, timetrack
from tpm_tui.services.quicklog import parse_quick_log
from tpm_tui.timekeeper import TimeKeeper
from tpm_tui.workspace import Workspace

COUNTS: Counter[str] = Counter()
# 19:30: late enough in the day that most spans and starts lie in the past.
CLOCK = Clock(NOW.replace(hour=19, minute=30))
TODAY = CLOCK.today()

CLOCK_TIMES = st.one_of(
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.sampled_from(["24:00", "9:60", "0900", "9h30", "25:00", "9"]),
)
FIRST = st.one_of(
    st.sampled_from(["45m", "1h30", "1h30m", "1.5h", "90", "0m", "25h", "24h", "11h", "1:30"]),
    st.tuples(CLOCK_TIMES, CLOCK_TIMES).map(lambda pair: f"{pair[0]}-{pair[1]}"),
)
NOTE_WORD = st.sampled_from(["standup", "planning", "1:1", "sync", "PRD"])
TAG = st.one_of(
    st.sampled_from(["#1", "#2", "#999", "#0"]),
    st.sampled_from(["@yesterday", "@mon", "@today", "@2026-11-20", "@1950-01-01", "@tomorrow"]),
    CLOCK_TIMES.map(lambda t: f"@{t}"),
)
GRAMMAR = st.tuples(
    FIRST,
    st.sampled_from(["m", "t", "d", "meet", "x"]),
    st.lists(NOTE_WORD, max_size=2),
    st.lists(TAG, max_size=3),
).map(lambda t: " ".join([t[0], t[1], *t[2], *t[3]]))
# Mostly lines of the grammar (what a person types), some mangled, some any text.
LINES = st.one_of(
    GRAMMAR,
    GRAMMAR,
    GRAMMAR,
    st.tuples(GRAMMAR, st.text(max_size=10)).map(" ".join),
    st.text(max_size=60),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with two items and a morning of entries, to copy per example."""
    path = tmp_path_factory.mktemp("time-template") / "tpm.db"
    db = open_database(location_for(path))
    epic = backlog.create_item(db, CLOCK, "epic", "Billing")
    backlog.create_item(db, CLOCK, "story", "Invoices", parent_id=epic.id)
    for hour in (8, 10):
        at = Clock(NOW.replace(hour=hour + 1))
        timetrack.log_entry(db, at, 45, "m", "standup")
    db.close()
    return path


def _entries(db: Database) -> list[tuple[Any, ...]]:
    days = timetrack.entries_between(
        db, CLOCK, *CLOCK.day_bounds(TODAY - timedelta(days=400), days=401)
    )
    return [(e.id, e.started_at, e.ended_at, e.note, e.item_id) for e in days]


@RUN
@given(text=LINES)
def test_the_quick_log_saves_what_it_previews(template: Path, tmp_path: Path, text: str) -> None:
    COUNTS["quick-log lines, preview against save"] += 1
    folder = tmp_path / f"case-{COUNTS['quick-log lines, preview against save']}"
    folder.mkdir()
    shutil.copy(template, folder / "tpm.db")
    db = open_database(location_for(folder / "tpm.db"))
    try:
        before = _entries(db)
        try:
            line = parse_quick_log(text, TODAY)
        except InvalidInput as refused:
            assert str(refused) and "\n" not in str(refused)
            COUNTS["refused by the parser"] += 1
            return
        args: dict[str, Any] = {
            "day": line.day,
            "item_id": line.item_id,
            "starts": line.starts,
            "ends": line.ends,
        }
        try:
            plan = timetrack.check_entry(db, CLOCK, line.duration, line.category, line.note, **args)
        except InvalidInput as previewed:
            with pytest.raises(InvalidInput) as saved:
                timetrack.log_entry(db, CLOCK, line.duration, line.category, line.note, **args)
            assert str(saved.value) == str(previewed)
            assert _entries(db) == before
            COUNTS["refused by preview and save alike"] += 1
            return
        entry = timetrack.log_entry(db, CLOCK, line.duration, line.category, line.note, **args)
        assert (entry.started_at, entry.ended_at) == (plan.started_at, plan.ended_at)
        assert entry.started_at.date() == (line.day or TODAY)
        assert 1 <= entry.minutes <= 24 * 60 and entry.ended_at <= CLOCK.now()  # type: ignore[operator]
        if line.starts is not None:
            assert entry.started_at.time() == line.starts
        assert len(_entries(db)) == len(before) + 1
        COUNTS["saved as previewed"] += 1
    finally:
        db.close()


# What a paste brings: an #id thousands of digits long (4301 is past Python's own limit
# for reading an int), a note around its 500-character limit, junk glued on.
PASTED = st.tuples(
    GRAMMAR,
    st.one_of(
        st.one_of(st.sampled_from([10, 19, 20, 30, 4301]), st.integers(1, 4400)).map(
            lambda n: "#" + "1" * n
        ),
        st.integers(480, 520).map(lambda n: "n" * n),
        st.text(max_size=10),
    ),
).map(" ".join)
ITEM_WORD = re.compile(r"(^|\s)#\d")


@RUN
@given(text=st.one_of(PASTED, LINES))
def test_the_quick_log_dialog_saves_what_it_previews(
    template: Path, tmp_path: Path, text: str
) -> None:
    """The dialog's own pair (TimeKeeper.quick_check, quick_save): what previews saves
    as previewed, what is refused is refused by both in the same short line, and an
    #id is never note text."""
    COUNTS["dialog lines, preview against save"] += 1
    folder = tmp_path / f"dialog-{COUNTS['dialog lines, preview against save']}"
    folder.mkdir()
    shutil.copy(template, folder / "tpm.db")
    workspace = Workspace(location_for(folder / "tpm.db"), CLOCK)
    keeper = TimeKeeper(workspace)
    try:
        before = _entries(workspace.open())
        try:
            preview = keeper.quick_check(text)
        except InvalidInput as previewed:
            with pytest.raises(InvalidInput) as saved:
                keeper.quick_save(text)
            assert str(saved.value) == str(previewed)
            assert "\n" not in str(previewed) and len(str(previewed)) < 200
            assert _entries(workspace.open()) == before
            COUNTS["dialog: refused by preview and save alike"] += 1
            return
        keeper.quick_save(text)
        after = _entries(workspace.open())
        assert len(after) == len(before) + 1
        (added,) = set(after) - set(before)
        assert not ITEM_WORD.search(added[3]), added[3]  # an #id is never note text
        assert preview.startswith(format_duration(int((added[2] - added[1]).total_seconds() // 60)))
        COUNTS["dialog: saved as previewed"] += 1
    finally:
        workspace.close()


def test_zz_report_time_fuzz_counts() -> None:
    """Runs last in this module: the cases it tried."""
    assert COUNTS, "the time fuzz ran"
    record("time fuzz cases", ", ".join(f"{k} {v}" for k, v in COUNTS.items()))
