"""Bad input, generated: every case is saved exactly as meant or refused with a clear
message (never a traceback), and a refusal leaves the workspace as it was."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, location_for
from tests.reliability.figures import record
from tpm_tui.clock import Clock
from tpm_tui.dates import parse_day
from tpm_tui.db import Database, open_database
from tpm_tui.durations import parse_duration
from tpm_tui.errors import Conflict, InvalidInput
from tpm_tui.models import Kind
from tpm_tui.services import backlog, timetrack, transfer
from tpm_tui.services.filters import parse_filter
from tpm_tui.services.quicklog import parse_quick_log
from tpm_tui.text import clean_block, clean_line, has_visible

CASES = int(os.environ.get("TPM_FUZZ_CASES", "200"))
RUN = settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COUNTS: Counter[str] = Counter()
TODAY = date(2026, 11, 26)
CLOCK = Clock(NOW)

# Text that has broken terminal programs: control characters, escape sequences, markup,
# wide characters and emoji, and very long strings.
NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "[bold]x[/]",
            "[@click=app.quit]bye[/]",
            "a [/] b",
            "50% [done]",
            "\x1b]0;pwned\x07title",
            "\x1b[31mred\x1b[0m",
            "\x00\x01\x7f\x9b",
            "表示テスト 漢字",
            "🚀 launch 👩‍💻",
            "\u202eevil\u202c",
            "tab\there\nnewline",
        ]
    ),
    # about 10,000 characters: a short random text repeated
    st.tuples(st.text(min_size=1, max_size=40), st.integers(9_990, 10_010)).map(
        lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
    ),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database to copy (migrating per example would be slow)."""
    path = tmp_path_factory.mktemp("template") / "tpm.db"
    open_database(location_for(path)).close()
    return path


@pytest.fixture
def fresh(template: Path, tmp_path: Path) -> Iterator[Any]:
    """A factory of new empty workspaces, copied from the template."""
    made: list[Database] = []

    def make() -> Database:
        path = tmp_path / f"ws-{len(made)}" / "tpm.db"
        path.parent.mkdir()
        shutil.copy(template, path)
        db = open_database(location_for(path))
        made.append(db)
        return db

    yield make
    for db in made:
        db.close()


@pytest.fixture
def filter_db(fresh: Any) -> Database:
    """One workspace with an item of each kind, for every filter example."""
    db: Database = fresh()
    _valid_export(db)
    backlog.create_item(db, CLOCK, "debt", "Upgrade 100% of the SDK", owner="ana", points=8)
    return db


def _snapshot(db: Database) -> str:
    data = transfer.export_workspace(db, CLOCK)
    data.pop("exported_at")
    return json.dumps(data, sort_keys=True)


@RUN
@given(st.text(max_size=40))
def test_fuzz_durations(text: str) -> None:
    COUNTS["durations"] += 1
    try:
        assert parse_duration(text) >= 0
    except InvalidInput as error:
        assert str(error) and "\n" not in str(error)


@RUN
@given(st.text(max_size=60))
def test_fuzz_quick_log(text: str) -> None:
    COUNTS["quick-log lines"] += 1
    try:
        entry = parse_quick_log(text, TODAY)
    except InvalidInput as error:
        assert str(error)
        return
    assert entry.minutes > 0 and (entry.day is None or entry.day <= TODAY)


@RUN
@given(
    st.one_of(
        st.text(max_size=20), st.dates().map(str), st.sampled_from(["mon", "Sunday", "yesterday"])
    )
)
def test_fuzz_dates(text: str) -> None:
    COUNTS["--date forms"] += 1
    try:
        parse_day(text, TODAY)
    except InvalidInput as error:  # says the forms, or the range the date is outside
        assert "today, yesterday or a weekday" in str(error) or "out of range" in str(error)


@RUN
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "kind:debt",
                    "epic:1",
                    "feature:x",
                    "sprint:current",
                    "owner:ana",
                    "points:>5",
                    "points:",
                    "100%",
                    "_",
                    "'",
                    '"',
                    "\\",
                    "%_%",
                    "kind:",
                    "colour:red",
                    "sprint:none",
                    "pdf",
                ]
            ),
            max_size=5,
        ).map(" ".join),
    )
)
def test_fuzz_filter_language(filter_db: Database, text: str) -> None:
    COUNTS["filter lines"] += 1
    try:
        parsed = parse_filter(text)
    except InvalidInput as error:
        assert str(error)
        return
    backlog.list_items(
        filter_db, item_filter=parsed, today=TODAY
    )  # the SQL runs, whatever was typed


@RUN
@given(title=NASTY, description=NASTY)
def test_fuzz_titles_and_descriptions(fresh: Any, title: str, description: str) -> None:
    COUNTS["titles and descriptions"] += 1
    db = fresh()
    before = _snapshot(db)
    try:
        item = backlog.create_item(db, CLOCK, "story", title, description=description)
    except InvalidInput as error:
        assert str(error) and "\n" not in str(error)
        assert _snapshot(db) == before
        return
    assert item.title == clean_line(title)
    assert item.description == clean_block(description)
    assert "\x1b" not in item.title + item.description
    assert backlog.get_item(db, item.id).title == item.title


def imported_or_unchanged(target: Database, data: Any, before: str) -> bool:
    """Import `data` over `target`: True if accepted; False if refused, after checking
    the refusal says nothing changed and nothing did (`before`: `_snapshot` of it)."""
    try:
        transfer.import_workspace(target, data, replace=True)
    except (InvalidInput, Conflict) as error:
        assert str(error).startswith("import refused, nothing changed") or isinstance(
            error, Conflict
        )
        assert _snapshot(target) == before
        return False
    return True


def _valid_export(db: Database) -> dict[str, Any]:
    epic = backlog.create_item(db, CLOCK, Kind.EPIC, "Epic")
    story = backlog.create_item(db, CLOCK, Kind.STORY, "Story", parent_id=epic.id, points=3)
    timetrack.log_entry(db, CLOCK, 30, "meetings", "standup", item_id=story.id)
    return transfer.export_workspace(db, CLOCK)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@RUN
@given(
    section=st.sampled_from(
        ["items", "time_entries", "sprints", "columns", "goals", "milestones", "settings"]
    ),
    field=st.sampled_from(
        [
            "id",
            "kind",
            "title",
            "status",
            "parent_id",
            "started_at",
            "ended_at",
            "category",
            "key",
            "name",
            "points",
            "date",
            "created_at",
            "item_id",
            "value",
        ]
    ),
    value=JSON,
    drop=st.booleans(),
    whole=st.one_of(st.none(), JSON),
)
def test_fuzz_hostile_imports(
    fresh: Any, section: str, field: str, value: Any, drop: bool, whole: Any
) -> None:
    COUNTS["hostile imports"] += 1
    source, target = fresh(), fresh()
    data = _valid_export(source)
    backlog.create_item(target, CLOCK, "bug", "Already here")
    before = _snapshot(target)
    hostile: Any = copy.deepcopy(data)
    if whole is not None:
        hostile = whole
    elif hostile[section]:
        row = hostile[section][0]
        if drop:
            row.pop(field, None)
        else:
            row[field] = value
    else:
        hostile[section] = value
    if not imported_or_unchanged(target, hostile, before):
        return
    after = transfer.export_workspace(target, CLOCK)  # accepted: it is a sound workspace
    assert after["items"] and backlog.rollups(target) is not None


WORKSPACE = st.fixed_dictionaries(
    {
        "epics": st.lists(
            NASTY.filter(lambda t: has_visible(clean_line(t))), min_size=0, max_size=3
        ),
        "stories": st.lists(
            st.tuples(
                st.text(min_size=1, max_size=30).filter(lambda t: has_visible(clean_line(t))),
                st.one_of(st.none(), st.integers(0, 100)),
                st.sampled_from(["backlog", "todo", "in_progress", "review", "done"]),
            ),
            max_size=8,
        ),
        "entries": st.lists(
            st.tuples(
                st.integers(1, 600),
                st.sampled_from(["m", "t", "d"]),
                st.text(max_size=20),
                st.integers(1, 20),
            ),
            max_size=8,
        ),
    }
)


@settings(
    max_examples=max(10, CASES // 8),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(WORKSPACE)
def test_round_trip_export_import_export_is_identical(fresh: Any, spec: dict[str, Any]) -> None:
    COUNTS["round-trip workspaces"] += 1
    db = fresh()
    epics = [
        backlog.create_item(db, CLOCK, "epic", t).id
        for t in spec["epics"]
        if len(clean_line(t)) <= 200
    ]
    for index, (title, points, status) in enumerate(spec["stories"]):
        parent = epics[index % len(epics)] if epics else None
        backlog.create_item(
            db, CLOCK, "story", title, points=points, status=status, parent_id=parent
        )
    for minutes, category, note, days_back in spec["entries"]:
        day = date.fromordinal(TODAY.toordinal() - days_back)
        with contextlib.suppress(InvalidInput):  # a day already full is refused: fine
            timetrack.log_entry(db, CLOCK, minutes, category, note, day=day)
    first = transfer.export_workspace(db, CLOCK)
    other = fresh()
    transfer.import_workspace(other, json.loads(json.dumps(first)))
    second = transfer.export_workspace(other, CLOCK)
    first.pop("exported_at")
    second.pop("exported_at")
    assert second == first


def test_zz_report_fuzz_counts() -> None:
    """Runs last in this module: the cases each input got."""
    assert COUNTS, "the fuzz tests ran"
    record("fuzz cases per input", ", ".join(f"{k} {v}" for k, v in COUNTS.items()))
