"""`tpm import --from jira|github|linear`: every mapping rule, re-import by source key,
dry runs that change nothing, bad rows with their lines, all or nothing."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import cli_env, query, stored_state
from tests.conftest import Seeded, location_for, run_tpm
from tpm_tui.clock import Clock
from tpm_tui.db import Database, open_database
from tpm_tui.errors import InvalidInput
from tpm_tui.importers.backlog_import import (
    ImportResult,
    import_backlog,
    parse_maps,
    read_export,
)
from tpm_tui.importers.jira_export import jira_csv as export_jira_csv
from tpm_tui.services import backlog, planning
from tpm_tui.services.backlog import ItemView
from tpm_tui.services.filters import parse_filter
from tpm_tui.services.transfer import check_import, export_workspace

pytestmark = pytest.mark.both_engines  # the services behave the same on PostgreSQL

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def run(
    db: Database,
    clock: Clock,
    source: str,
    data: bytes | str,
    name: str = "export",
    **options: Any,
) -> ImportResult:
    raw = data.encode() if isinstance(data, str) else data
    return import_backlog(db, clock, read_export(source, raw, name, clock), **options)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_key(db: Database) -> dict[str, ItemView]:
    items = backlog.list_items(db, archived=None)
    return {i.source_key: i for i in items if i.source_key}


def snapshot(db: Database, clock: Clock) -> dict[str, Any]:
    data = export_workspace(db, clock)
    data.pop("exported_at", None)
    return data


def jira_csv(rows: list[dict[str, str]]) -> str:
    header = ["Issue key", "Issue id", "Summary", "Issue Type", "Status", "Story Points"]
    header += ["Sprint", "Parent id", "Assignee", "Labels", "Description"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


# ---------------------------------------------------------------- Jira mapping


def test_jira_fixture_maps_kinds_parents_points_sprints_and_subtasks(
    db: Database, clock: Clock
) -> None:
    result = run(db, clock, "jira", fixture("jira.csv"))
    assert result.added == {"epic": 2, "story": 3, "bug": 1, "debt": 1}
    assert result.subtasks == 2
    assert sorted(result.sprints_added) == ["PAY Sprint 1", "PAY Sprint 2"]
    items = by_key(db)
    epic, story, bug, debt = items["PAY-1"], items["PAY-10"], items["PAY-11"], items["PAY-12"]
    assert (epic.kind.value, epic.points, epic.source) == ("epic", None, "jira")
    # Parent id holds the epic's issue id; Epic Link (older exports) its key.
    assert story.parent_id == epic.id and debt.parent_id == epic.id
    assert items["PAY-13"].parent_id == items["PAY-2"].id
    assert debt.kind.value == "debt"  # a Task labelled tech-debt
    assert (story.points, story.owner, story.status) == (5, "Ana Lima", "in_progress")
    assert items["PAY-16"].points == 3  # 2.5 rounded, and noted
    assert any("rounded" in line for line in result.mapping)
    # The last of the repeated Sprint columns is the sprint the story is in now.
    sprints = {s.id: s.name for s in planning.list_sprints(db)}
    assert sprints[story.sprint_id] == "PAY Sprint 2"  # type: ignore[index]
    assert bug.status == "done"
    assert bug.done_at == datetime(2026, 11, 12, 15, 45, tzinfo=UTC)  # 4:45 PM Berlin
    detail = backlog.get_item(db, items["PAY-13"].id)
    assert detail.points == 8
    stored = export_workspace(db, clock)["items"]
    retry = next(r for r in stored if r["source_key"] == "PAY-13")
    assert retry["acceptance"] == (
        "- [x] Write retry schedule (PAY-14)\n- [ ] Alert on third failure (PAY-15)"
    )
    export = next(r for r in stored if r["source_key"] == "PAY-10")
    assert export["description"].startswith("h2. Why\nFinance asks *every* month.")
    # HTML becomes Markdown; Jira's wiki markup is kept as written.
    totals = next(r for r in stored if r["source_key"] == "PAY-11")
    assert totals["description"] == "Totals **wrap** on A4."
    assert "descriptions in HTML converted to Markdown" in result.mapping
    unicode = next(r for r in stored if r["source_key"] == "PAY-16")
    assert unicode["description"] == 'Line one\nline two, with "quotes"'
    assert unicode["title"] == "Ünïcode – naïve café receipts"


def test_status_by_column_name_category_done_words_and_unknown(db: Database, clock: Clock) -> None:
    result = run(db, clock, "jira", fixture("jira.csv"))
    items = by_key(db)
    assert items["PAY-16"].status == "in_progress"  # "In Review": category In Progress
    assert items["PAY-12"].status == "backlog"  # unknown status, category To Do
    lines = "\n".join(result.mapping)
    assert "status 'Done' → Done (1 item)" in lines
    assert "type 'Task' → debt (1 item)" in lines and "type 'Epic' → epic (2 items)" in lines
    german = run(db, clock, "jira", fixture("jira_cp1252.csv"))
    assert german.added == {"story": 1, "bug": 1}
    items = by_key(db)
    assert items["OPS-1"].status == "done"  # Erledigt
    assert items["OPS-1"].title == "Größe prüfen"  # Windows-1252, semicolons
    assert items["OPS-1"].created_at == datetime(2026, 11, 27, 9, 15, tzinfo=UTC)


def test_unknown_status_goes_to_the_first_column_and_is_reported(
    db: Database, clock: Clock
) -> None:
    text = jira_csv([{"Issue key": "X-1", "Summary": "A", "Issue Type": "Story", "Status": "Zzz"}])
    result = run(db, clock, "jira", text)
    assert by_key(db)["X-1"].status == "backlog"
    assert any("'Zzz' is no column here" in line for line in result.mapping)


def test_map_sends_a_status_to_a_column(db: Database, clock: Clock) -> None:
    text = jira_csv([{"Issue key": "X-1", "Summary": "A", "Issue Type": "Story", "Status": "QA"}])
    run(db, clock, "jira", text, maps=parse_maps(["QA=review"]))
    assert by_key(db)["X-1"].status == "review"
    with pytest.raises(InvalidInput, match="STATUS=COLUMN"):
        parse_maps(["nothing"])
    with pytest.raises(InvalidInput, match="no column 'nowhere'"):
        run(db, clock, "jira", text, maps=parse_maps(["QA=nowhere"]))


def test_missing_points_and_points_on_epics(db: Database, clock: Clock) -> None:
    text = jira_csv(
        [
            {"Issue key": "X-1", "Summary": "E", "Issue Type": "Epic", "Story Points": "13"},
            {"Issue key": "X-2", "Summary": "S", "Issue Type": "Story", "Parent id": "X-1"},
        ]
    )
    result = run(db, clock, "jira", text)
    items = by_key(db)
    assert items["X-1"].points is None and items["X-2"].points is None
    assert items["X-2"].parent_id == items["X-1"].id
    assert any("roll-up" in line for line in result.mapping)


def test_a_parent_the_tree_forbids_is_left_out(db: Database, clock: Clock) -> None:
    text = jira_csv(
        [
            {"Issue key": "X-1", "Summary": "S1", "Issue Type": "Story"},
            {"Issue key": "X-2", "Summary": "S2", "Issue Type": "Story", "Parent id": "X-1"},
            {"Issue key": "X-3", "Summary": "S3", "Issue Type": "Story", "Parent id": "X-99"},
        ]
    )
    result = run(db, clock, "jira", text)
    items = by_key(db)
    assert items["X-2"].parent_id is None and items["X-3"].parent_id is None
    lines = "\n".join(result.mapping)
    assert "1 parent left out where the tree does not allow it" in lines
    assert "1 parent not in the file" in lines


# ---------------------------------------------------------------- GitHub, Linear


def test_github_json(db: Database, clock: Clock) -> None:
    result = run(db, clock, "github", fixture("github.json"))
    assert result.added == {"epic": 1, "bug": 1, "debt": 1, "story": 1}
    items = by_key(db)
    flaky = items["acme/pay#13"]
    assert (flaky.kind.value, flaky.points, flaky.status, flaky.owner) == ("bug", 3, "done", "ana")
    assert items["acme/pay#14"].kind.value == "debt"
    sprint = {s.name: s for s in planning.list_sprints(db)}["v1.4"]
    assert sprint.end_date == date(2026, 12, 18)
    assert flaky.sprint_id == sprint.id
    assert items["acme/pay#15"].status == "backlog"
    assert [
        i.source_key for i in backlog.list_items(db, item_filter=parse_filter("key:ACME/PAY#14"))
    ] == ["acme/pay#14"]


def test_linear_csv(db: Database, clock: Clock) -> None:
    result = run(db, clock, "linear", fixture("linear.csv"))
    items = by_key(db)
    project = items["project:Activation"]
    onboarding = items["LIN-1"]
    # An issue with sub-issues is a feature under its project's epic.
    assert (project.kind.value, onboarding.kind.value) == ("epic", "feature")
    assert onboarding.parent_id == project.id
    assert items["LIN-2"].parent_id == onboarding.id
    assert (items["LIN-2"].points, items["LIN-2"].status) == (2, "done")
    assert items["LIN-3"].kind.value == "bug" and items["LIN-4"].kind.value == "debt"
    sprint = {s.name: s for s in planning.list_sprints(db)}["Cycle 3"]
    assert (sprint.start_date, sprint.end_date) == (date(2026, 11, 16), date(2026, 11, 30))
    assert result.sprints_added == ("Cycle 3",)


# ---------------------------------------------------------------- re-import


@pytest.mark.parametrize(
    ("source", "name"),
    [("jira", "jira.csv"), ("github", "github.json"), ("linear", "linear.csv")],
)
def test_import_twice_leaves_the_database_identical(
    db: Database, clock: Clock, source: str, name: str
) -> None:
    run(db, clock, source, fixture(name))
    before = snapshot(db, clock)
    again = run(db, clock, source, fixture(name))
    assert snapshot(db, clock) == before
    assert (again.added, again.updated, again.sprints_added) == ({}, 0, ())


def test_dry_run_changes_no_byte(db: Database, clock: Clock) -> None:
    run(db, clock, "jira", fixture("jira.csv"), maps={})
    before = stored_state(db)
    result = run(db, clock, "github", fixture("github.json"), dry_run=True)
    assert result.dry_run and result.added == {"epic": 1, "bug": 1, "debt": 1, "story": 1}
    # Milestone v1.4 (5-18 Dec) would share days with PAY Sprint 2 (26 Nov-9 Dec):
    # sprints never do, so it is not made and its items come in without a sprint.
    assert result.summary().startswith("would add 1 epic, 0 features, 3 stories/bugs, 0 sprint")
    assert any("'v1.4' not made" in note and "PAY Sprint 2" in note for note in result.mapping)
    assert stored_state(db) == before


def test_imported_items_have_their_history_and_sprints_never_overlap(
    db: Database, clock: Clock
) -> None:
    run(db, clock, "jira", fixture("jira.csv"))
    [(created,)] = query(db, "SELECT count(*) FROM item_event WHERE change = 'created'")
    [(items,)] = query(db, "SELECT count(*) FROM work_item")
    done = [
        (at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else at,)
        for (at,) in query(
            db,
            "SELECT e.at FROM item_event e JOIN work_item w ON w.id = e.item_id"
            " WHERE w.source_key = 'PAY-11' AND e.done = :done",
            done=True,
        )
    ]
    assert created == items  # one creation per item the import made
    assert [d[0][:16] for d in done] == ["2026-11-12 15:45"]  # resolved then (UTC)
    # Sprints without dates in the export follow the last sprint, two weeks each.
    undated = jira_csv(
        [
            {
                "Issue key": "X-1",
                "Issue id": "901",
                "Summary": "One",
                "Issue Type": "Story",
                "Status": "To Do",
                "Sprint": "Later A",
            },
            {
                "Issue key": "X-2",
                "Issue id": "902",
                "Summary": "Two",
                "Issue Type": "Story",
                "Status": "To Do",
                "Sprint": "Later B",
            },
        ]
    )
    run(db, clock, "jira", undated)
    spans = sorted((s.start_date, s.end_date) for s in planning.list_sprints(db))
    assert len(spans) == 4  # PAY Sprint 1 and 2, Later A and B
    for (_start, end), (next_start, _end) in itertools.pairwise(spans):
        assert end < next_start, spans


def test_reimport_updates_what_the_source_changed_and_keeps_tpm_edits(
    db: Database, clock: Clock
) -> None:
    rows = [
        {"Issue key": "X-1", "Issue id": "1", "Summary": "Epic", "Issue Type": "Epic"},
        {"Issue key": "X-5", "Issue id": "5", "Summary": "Other epic", "Issue Type": "Epic"},
        {
            "Issue key": "X-2",
            "Summary": "Old title",
            "Issue Type": "Story",
            "Status": "To Do",
            "Story Points": "3",
            "Sprint": "S1",
            "Parent id": "1",
            "Assignee": "ana",
        },
    ]
    run(db, clock, "jira", jira_csv(rows))
    story = by_key(db)["X-2"]
    # In tpm meanwhile: the owner changes (the source's owner does not).
    backlog.edit_item(db, clock, story.id, owner="bo")
    rows[2] |= {"Summary": "New title", "Story Points": "5", "Status": "Done", "Sprint": "S2"}
    rows[2]["Parent id"] = "5"
    rows.append({"Issue key": "X-3", "Summary": "New one", "Issue Type": "Bug"})
    result = run(db, clock, "jira", jira_csv(rows))
    assert (result.added, result.updated) == ({"bug": 1}, 1)
    assert result.changed_fields == {
        "title": 1,
        "points": 1,
        "status": 1,
        "sprint": 1,
        "parent": 1,
    }
    items = by_key(db)
    story = items["X-2"]
    assert (story.title, story.points, story.status, story.owner) == ("New title", 5, "done", "bo")
    assert story.parent_id == items["X-5"].id
    assert {s.id: s.name for s in planning.list_sprints(db)}[story.sprint_id] == "S2"  # type: ignore[index]
    assert len(by_key(db)) == 4  # never a second copy


def test_archived_items_stay_archived_unless_restore(db: Database, clock: Clock) -> None:
    run(db, clock, "github", fixture("github.json"))
    dark = by_key(db)["acme/pay#15"]
    backlog.set_archived(db, clock, dark.id, True)
    again = run(db, clock, "github", fixture("github.json"))
    assert again.kept_archived == 1 and "--restore brings them back" in again.summary()
    assert backlog.get_item(db, dark.id).archived
    restored = run(db, clock, "github", fixture("github.json"), restore=True)
    assert restored.restored == 1
    assert not backlog.get_item(db, dark.id).archived


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_named_by_line_and_nothing_is_written(db: Database, clock: Clock) -> None:
    before = stored_state(db)
    with pytest.raises(InvalidInput) as caught:
        run(db, clock, "jira", fixture("jira_bad.csv"))
    message = str(caught.value)
    assert "2 bad rows, nothing imported" in message
    assert "line 9 (PAY-20): story points 'lots' is not a number" in message
    assert "line 10: no key" in message
    assert stored_state(db) == before
    result = run(db, clock, "jira", fixture("jira_bad.csv"), skip_bad=True)
    assert [p.line for p in result.problems] == [9, 10]
    assert set(by_key(db)) == {"PAY-1", "PAY-2", "PAY-10"}


def test_line_numbers_count_embedded_newlines(db: Database, clock: Clock) -> None:
    text = (
        "Issue key,Summary,Issue Type,Created\r\n"
        'X-1,"two\r\nlines",Story,\r\nX-2,B,Story,32/13/2026\r\n'
    )
    with pytest.raises(InvalidInput, match=r"line 4 \(X-2\): Created '32/13/2026'"):
        run(db, clock, "jira", text)


@pytest.mark.parametrize(
    ("source", "data", "message"),
    [
        ("jira", b"", "the file is empty"),
        ("jira", b"a,b\n1,2\n", "not a Jira CSV export: it has no 'Issue key' column"),
        ("github", b"{not json", "not valid JSON"),
        ("github", b'{"a": 1}', "expected a list of issues"),
        ("linear", b"Title\nx\n", "no 'ID' column"),
    ],
)
def test_files_that_are_no_export_are_refused_in_one_line(
    db: Database, clock: Clock, source: str, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        run(db, clock, source, data)


# ---------------------------------------------------------------- CLI


def test_cli_dry_run_then_apply_then_json(tmp_path: Path) -> None:
    db_path = tmp_path / "ws.db"
    path = str(FIXTURES / "jira.csv")
    dry = run_tpm("import", "--from", "jira", path, "--dry-run", db_path=db_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(
        "would add 2 epics, 0 features, 5 stories/bugs, 2 sprints; would update 0; skipped 2 "
        "(2 sub-tasks: kept as acceptance criteria of their story)"
    )
    done = run_tpm("import", "--from", "jira", path, "--format", "json", db_path=db_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == {"bug": 1, "debt": 1, "epic": 2, "story": 3}
    bad = run_tpm("import", "--from", "jira", str(FIXTURES / "jira_bad.csv"), db_path=db_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "line 9 (PAY-20)" in bad.stderr and "Traceback" not in bad.stderr
    wrong = run_tpm("import", path, "--dry-run", db_path=db_path)
    assert wrong.returncode == 2 and "--dry-run needs --from" in wrong.stderr


# ---------------------------------------------------------------- export back


def test_jira_csv_export_reads_back_as_the_same_backlog(
    seeded: Seeded, clock: Clock, tmp_path: Path
) -> None:
    db = seeded.db
    backlog.edit_item(db, clock, seeded.story, acceptance="- [ ] PDF opens", description="Why")
    backlog.create_item(db, clock, "story", "=HYPERLINK(evil)")
    text = export_jira_csv(db)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "Issue Id",
        "Issue key",
        "Summary",
        "Issue Type",
        "Story Points",
        "Parent",
        "Sprint",
        "Status",
        "Labels",
        "Assignee",
        "Description",
    ]
    story = next(r for r in rows if r["Summary"] == "Export invoices")
    assert (story["Issue Type"], story["Story Points"], story["Sprint"]) == (
        "Story",
        "5",
        "Sprint 24",
    )
    assert story["Parent"] == str(seeded.feature) and story["Status"] == "Backlog"
    assert story["Description"] == "Why\n\nAcceptance criteria:\n- [ ] PDF opens"
    assert any(r["Summary"] == "'=HYPERLINK(evil)" for r in rows)
    assert text.endswith("\r\n")
    other = open_database(location_for(tmp_path / "other.db"))
    try:
        run(other, clock, "jira", text)
        mine = {i.title: i for i in backlog.list_items(db)}
        theirs = {i.title: i for i in backlog.list_items(other)}
        for title in (
            "Self-serve invoicing",
            "Invoice export",
            "Export invoices",
            "PDF totals wrap",
        ):
            a, b = mine[title], theirs[title]
            assert (a.kind, a.points, a.status, a.sprint) == (b.kind, b.points, b.status, b.sprint)
            assert (a.parent_id is None) == (b.parent_id is None)
        assert theirs["Replace PDF layout"].kind.value == "debt"
        assert theirs["Export invoices"].parent_id == theirs["Invoice export"].id
    finally:
        other.close()


def test_cli_export_jira_csv(seeded: Seeded, tmp_path: Path) -> None:
    out = run_tpm("export", "--format", "jira-csv", env=cli_env(seeded.db.location))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Issue Id,Issue key,Summary,Issue Type,Story Points,Parent")


def test_a_backup_with_one_key_twice_is_refused_as_bad_input(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    run(db, clock, "github", fixture("github.json"))
    data = export_workspace(db, clock)
    data["items"][1]["source_key"] = data["items"][0]["source_key"]
    with pytest.raises(InvalidInput, match=r"items\[1\] .*: key 'acme/pay#12' is also #1's"):
        check_import(data, clock)


def test_a_kind_change_that_breaks_the_tree_is_not_applied(db: Database, clock: Clock) -> None:
    rows = [
        {"Issue key": "X-1", "Issue id": "1", "Summary": "F", "Issue Type": "Feature"},
        {"Issue key": "X-2", "Summary": "S", "Issue Type": "Story", "Parent id": "1"},
        {"Issue key": "X-3", "Summary": "B", "Issue Type": "Bug", "Story Points": "3"},
    ]
    run(db, clock, "jira", jira_csv(rows))
    rows[0]["Issue Type"] = "Story"  # would leave X-2 under a story
    rows[2]["Issue Type"] = "Epic"  # an epic carries no points of its own
    result = run(db, clock, "jira", jira_csv(rows))
    items = by_key(db)
    assert items["X-1"].kind.value == "feature" and items["X-2"].parent_id == items["X-1"].id
    assert (items["X-3"].kind.value, items["X-3"].points) == ("epic", None)
    assert any("1 item kept its kind" in line for line in result.mapping)


def test_a_sprint_named_as_a_word_tpm_reserves_is_renamed_not_unreachable(
    db: Database, clock: Clock
) -> None:
    # `tpm sprint show 12` means the sprint with id 12, `current` the running one: an
    # export's sprints so named come in as "Sprint 12", "Sprint current", said once.
    rows = [
        {
            "Issue key": f"X-{n}",
            "Issue id": str(n),
            "Summary": f"Item {n}",
            "Issue Type": "Story",
            "Status": "To Do",
            "Sprint": sprint,
        }
        for n, sprint in enumerate(["12", "current", "12", "Sprint 12", "Fine"], start=1)
    ]
    result = run(db, clock, "jira", jira_csv(rows))
    # (no sprint before, none dated in the export: they start today)
    assert any("given two weeks each from today" in note for note in result.mapping)
    names = {s.id: s.name for s in planning.list_sprints(db)}
    assert sorted(names.values()) == ["Fine", "Sprint 12", "Sprint current"]
    assert sorted(result.sprints_added) == ["Fine", "Sprint 12", "Sprint current"]
    items = by_key(db)
    assert [names[items[f"X-{n}"].sprint_id] for n in range(1, 6)] == [  # type: ignore[index]
        "Sprint 12",
        "Sprint current",
        "Sprint 12",
        "Sprint 12",
        "Fine",
    ]
    said = [note for note in result.mapping if "is called" in note]
    assert said == [
        "sprint '12' is called 'Sprint 12' here ('12' means something else where a sprint"
        " is named)",
        "sprint 'current' is called 'Sprint current' here ('current' means something else"
        " where a sprint is named)",
    ]
    assert planning.resolve_sprint(db, clock, "sprint 12").name == "Sprint 12"


def test_a_sprint_renamed_to_one_tpm_has_is_that_one_not_a_new_one(
    db: Database, clock: Clock
) -> None:
    made = planning.create_sprint(db, "Sprint 12", date(2020, 1, 6), date(2020, 1, 19))
    rows = [
        {
            "Issue key": "X-1",
            "Issue id": "1",
            "Summary": "Item",
            "Issue Type": "Story",
            "Status": "To Do",
            "Sprint": "12",
        }
    ]
    result = run(db, clock, "jira", jira_csv(rows))
    assert [s.name for s in planning.list_sprints(db)] == ["Sprint 12"]
    assert list(result.sprints_added) == []
    assert not any("without dates" in note for note in result.mapping)
    fresh = run(db, clock, "jira", jira_csv([{**rows[0], "Issue key": "Y-1", "Sprint": "Q"}]))
    assert any("given two weeks each after the last sprint" in n for n in fresh.mapping)
    assert by_key(db)["X-1"].sprint_id == made.id
