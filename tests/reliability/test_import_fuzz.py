"""Generated Jira/Linear CSV and GitHub JSON exports, from plausible to garbage: an import
is refused in one line or done whole (never a traceback, never half an import), and
importing the same file again changes nothing."""

from __future__ import annotations

import csv
import io
import json
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
from tests.reliability.test_fuzz import RUN
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.errors import InvalidInput
from tpm_tui.importers.backlog_import import import_backlog, read_export
from tpm_tui.services.transfer import export_workspace

COUNTS: Counter[str] = Counter()
CLOCK = Clock(NOW)
FIXTURE = Path(__file__).parent.parent / "fixtures" / "imports" / "jira.csv"

KEYS = st.sampled_from(["PAY-1", "PAY-2", "PAY-10", "PAY-11", "X-1", "", " ", "10001", "a" * 130])
SOME_KEY = st.sampled_from(["PAY-1", "PAY-2", "PAY-10", "PAY-12", "PAY-30", "X-1", "LIN-2"])
CELLS = st.one_of(
    st.sampled_from(
        [
            "Epic",
            "Story",
            "Bug",
            "Task",
            "Sub-task",
            "Feature",
            "To Do",
            "Done",
            "In Progress",
            "Weird status",
            "5",
            "2.5",
            "-3",
            "1e9",
            "lots",
            "tech-debt",
            "03/Nov/26 9:15 AM",
            "2026-11-03T09:15:00.000+0100",
            "31/02/2026",
            "32/Foo/26",
            "27.11.2026 10:15",
            "11/27/2026",
            "Sprint 1",
            "Cycle 3",
            "ana",
            "",
            "line\r\nbreak",
            "<b>html</b>",
            "h2. wiki",
            '"quoted"',
            "ünï",
            "\x00",
        ]
    ),
    KEYS,
    st.text(max_size=12),
)
JIRA_HEADER = st.lists(
    st.sampled_from(
        [
            "Summary",
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Status Category",
            "Sprint",
            "Sprint",
            "Labels",
            "Labels",
            "Created",
            "Resolved",
            "Assignee",
            "Custom field (Story Points)",
            "Parent id",
            "Custom field (Epic Link)",
            "Parent",
            "Description",
        ]
    ),
    min_size=3,
    max_size=12,
)
LINEAR_HEADER = st.lists(
    st.sampled_from(
        [
            "ID",
            "Title",
            "Status",
            "Estimate",
            "Labels",
            "Project",
            "Parent issue",
            "Cycle Number",
            "Cycle Name",
            "Cycle Start",
            "Cycle End",
            "Created",
            "Completed",
            "Assignee",
            "Description",
        ]
    ),
    min_size=2,
    max_size=10,
)


def _csv(header: list[str], rows: list[list[str]], crlf: bool, bom: bool, enc: str) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(row[: len(header)] for row in rows)
    data = buf.getvalue().encode(enc, errors="replace")
    return (b"\xef\xbb\xbf" + data) if bom and enc == "utf-8" else data


def csv_files(header: st.SearchStrategy[list[str]]) -> st.SearchStrategy[bytes]:
    """CSV files with the source's columns in any order, some cells odd."""
    return st.builds(
        _csv,
        header,
        st.lists(
            st.tuples(SOME_KEY, st.lists(CELLS, min_size=12, max_size=12)).map(
                lambda row: [row[0], *row[1]]
            ),
            max_size=8,
        ),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 20) | st.text(max_size=8) | CELLS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
GITHUB_ISSUE = st.fixed_dictionaries(
    {},
    optional={
        "number": st.one_of(st.integers(-1, 30), st.text(max_size=3)),
        "title": st.one_of(st.text(max_size=20), st.none(), st.integers()),
        "body": st.one_of(CELLS, st.none()),
        "labels": st.one_of(
            st.lists(st.fixed_dictionaries({"name": CELLS}), max_size=3), JSON_VALUES
        ),
        "milestone": st.one_of(
            st.none(),
            st.fixed_dictionaries({"title": CELLS}, optional={"dueOn": CELLS}),
            JSON_VALUES,
        ),
        "state": st.sampled_from(["OPEN", "CLOSED", "open", "", "merged"]),
        "assignees": st.one_of(st.lists(st.fixed_dictionaries({"login": CELLS})), JSON_VALUES),
        "url": st.one_of(
            st.integers(1, 30).map(lambda n: f"https://github.com/acme/pay/issues/{n}"),
            st.text(max_size=10),
        ),
    },
)
GITHUB_FILES = st.one_of(
    st.lists(st.one_of(GITHUB_ISSUE, GITHUB_ISSUE, JSON_VALUES), max_size=8).map(
        lambda v: json.dumps(v).encode()
    ),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=60),
)
FILES = st.one_of(
    st.tuples(st.just("jira"), csv_files(JIRA_HEADER.map(lambda h: ["Issue key", *h]))),
    st.tuples(st.just("jira"), csv_files(JIRA_HEADER)),
    st.tuples(st.just("linear"), csv_files(LINEAR_HEADER.map(lambda h: ["ID", "Title", *h]))),
    st.tuples(st.just("github"), GITHUB_FILES),
    st.tuples(st.sampled_from(["jira", "linear", "github"]), st.binary(max_size=80)),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that already holds an earlier Jira import."""
    path = tmp_path_factory.mktemp("import-template") / "tpm.db"
    db = open_database(location_for(path))
    import_backlog(db, CLOCK, read_export("jira", FIXTURE.read_bytes(), "jira.csv", CLOCK))
    db.close()
    return path


def _state(db: Database) -> dict[str, Any]:
    data = export_workspace(db, CLOCK)
    data.pop("exported_at", None)
    return data


@RUN
@given(case=FILES, skip_bad=st.booleans())
def test_an_import_is_refused_or_done_whole_and_a_second_changes_nothing(
    template: Path, tmp_path: Path, case: tuple[str, bytes], skip_bad: bool
) -> None:
    source, data = case
    COUNTS["export files"] += 1
    folder = tmp_path / f"case-{COUNTS['export files']}"
    folder.mkdir()
    shutil.copy(template, folder / "tpm.db")
    db = open_database(location_for(folder / "tpm.db"))
    try:
        before = _state(db)
        try:
            parsed = read_export(source, data, "export", CLOCK)
            result = import_backlog(db, CLOCK, parsed, skip_bad=skip_bad)
        except InvalidInput as refused:
            assert str(refused) and "Traceback" not in str(refused)
            assert _state(db) == before  # never half an import
            COUNTS["refused whole"] += 1
            return
        after = _state(db)
        assert not result.problems or skip_bad
        again = import_backlog(db, CLOCK, read_export(source, data, "export", CLOCK), skip_bad=True)
        assert (again.added, again.updated, again.sprints_added) == ({}, 0, ())
        assert _state(db) == after
        COUNTS["imported, then again with no change"] += 1
    finally:
        db.close()


# ---------------------------------------------------------------- calendar files

ICS_LINES = st.one_of(
    st.sampled_from(
        [
            "BEGIN:VEVENT",
            "END:VEVENT",
            "UID:a@x",
            "UID:b@x",
            "SUMMARY:Standup",
            "DTSTART:20261123T093000Z",
            "DTEND:20261123T094500Z",
            "DTSTART;TZID=Europe/Berlin:20261124T100000",
            "DTEND;TZID=Europe/Berlin:20261124T090000",
            "DTSTART;TZID=Nowhere/Land:20261124T100000",
            "DTSTART;VALUE=DATE:20261125",
            "DURATION:PT45M",
            "DURATION:P3D",
            "DURATION:-PT1H",
            "RRULE:FREQ=DAILY;COUNT=3",
            "RRULE:FREQ=WEEKLY",
            "RRULE:FREQ=BOGUS",
            "EXDATE:20261124T093000Z",
            "RECURRENCE-ID:20261124T093000Z",
            "STATUS:CANCELLED",
            "TRANSP:TRANSPARENT",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com",
            "DTSTART:99991231T235959Z",
            "DTSTART:garbage",
            "SUMMARY:" + "x" * 600,
            "BEGIN:VTODO",
            "END:VTODO",
        ]
    ),
    st.text(max_size=20),
)
ICS_FILES = st.one_of(
    st.lists(ICS_LINES, max_size=25).map(
        lambda lines: "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR"])
    ),
    st.lists(ICS_LINES, max_size=25).map("\r\n".join),
).map(lambda text: text.encode("utf-8", errors="replace"))


@RUN
@given(data=ICS_FILES)
def test_a_calendar_file_is_refused_or_logged_whole_and_again_changes_nothing(
    template: Path, tmp_path: Path, data: bytes
) -> None:
    from tpm_tui.importers.calendar import log_meetings, plan_meetings, read_calendar

    COUNTS["calendar files"] += 1
    folder = tmp_path / f"ics-{COUNTS['calendar files']}"
    folder.mkdir()
    shutil.copy(template, folder / "tpm.db")
    db = open_database(location_for(folder / "tpm.db"))
    start, end = CLOCK.day_bounds(NOW.date() - timedelta(days=7), 14)
    try:
        before = _state(db)
        try:
            found = read_calendar(data, "cal.ics", start, end, me=frozenset({"me@example.com"}))
        except InvalidInput as refused:
            assert "cal.ics" in str(refused) and "\n" not in str(refused)
            COUNTS["calendar refused"] += 1
            return
        assert all(m.start < m.end or m.skip for m in found)
        log_meetings(db, CLOCK, found)
        after = _state(db)
        assert len(after["time_entries"]) - len(before["time_entries"]) == sum(
            1 for p in plan_meetings(db, CLOCK, found) if p.action == "same"
        )
        again = log_meetings(db, CLOCK, found)
        assert (again.added, again.moved) == (0, 0)
        assert _state(db) == after
        COUNTS["calendar logged, then again with no change"] += 1
    finally:
        db.close()


def test_zz_report_import_fuzz_counts() -> None:
    """Runs last in this module: the cases it tried."""
    assert COUNTS, "the import fuzz ran"
    record("import fuzz cases", ", ".join(f"{k} {v}" for k, v in COUNTS.items()))
