"""`tpm export --format jira-csv`: the backlog as a CSV Jira's importer takes (Summary,
Issue Type, Story Points, Parent, Sprint, Status, Description), so a backlog shaped in
tpm can go back. Parents refer to the `Issue Id` of another row of the same file, as
Jira's CSV import links them; `tpm import --from jira` reads the file back too."""

from __future__ import annotations

import csv
import io

from tpm_tui.db import Database
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog

HEADER = (
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
)
# Jira has no Feature type out of the box: the import wizard maps it to one of yours.
ISSUE_TYPES = {
    Kind.EPIC: "Epic",
    Kind.FEATURE: "Feature",
    Kind.STORY: "Story",
    Kind.BUG: "Bug",
    Kind.DEBT: "Task",
}


def jira_csv(db: Database) -> str:
    """Every active item, parents before their children, as Jira CSV (CRLF lines)."""
    items = backlog.list_items(db, archived=False)
    columns = {c.key: c.name for c in backlog.list_columns(db)}
    ids = {item.id for item in items}
    order = sorted(items, key=lambda i: (i.kind.level, i.id))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in order:
        description = item.description
        if item.acceptance:
            description += ("\n\n" if description else "") + "Acceptance criteria:\n"
            description += item.acceptance
        key = item.source_key if item.source == "jira" and item.source_key else f"TPM-{item.id}"
        writer.writerow(
            (
                item.id,
                key,
                _cell(item.title),
                ISSUE_TYPES[item.kind],
                "" if item.points is None else item.points,
                item.parent_id if item.parent_id in ids else "",
                _cell(item.sprint or ""),
                _cell(columns.get(item.status, item.status)),
                "tech-debt" if item.kind is Kind.DEBT else "",
                _cell(item.owner),
                description,
            )
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet reads a cell starting with = + or @ as a formula: quote it with '
    (a leading - is left alone: it starts many a plain title)."""
    return "'" + text if text[:1] in ("=", "+", "@") else text
