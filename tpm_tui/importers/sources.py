"""What each tool's export says about its issues, read into one shape: Jira's CSV
export, `gh issue list --json ...` for GitHub, and Linear's CSV export. A row that
cannot be read is a Problem naming its line; the rest of the file is still read."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from tpm_tui.errors import InvalidInput
from tpm_tui.importers.messy import CsvRow, CsvTable, DateReader, decode, read_csv
from tpm_tui.services import validate

SOURCES = ("jira", "github", "linear")
SUBTASK = "subtask"  # a kind that is no card: its parent's acceptance criterion
DEBT_LABELS = frozenset({"tech-debt", "debt", "techdebt", "tech_debt", "technical-debt"})
KEY_MAX = 120
_JIRA_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class SprintRef:
    """A sprint, cycle or milestone as the export names it, with its dates if given."""

    name: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class SourceIssue:
    """One issue as its tool exported it, before it is mapped onto the board."""

    line: int  # where it starts in the file (for JSON: its position, from 1)
    key: str  # PAY-142, org/repo#12, LIN-7
    type_name: str  # what the tool called its type ("Task", "Sub-task", "label bug")
    kind: str  # epic, feature, story, bug, debt, or SUBTASK
    title: str
    description: str = ""
    points: int | None = None
    status: str = ""
    status_category: str = ""
    sprint: SprintRef | None = None
    owner: str = ""
    parent: str | None = None  # the parent's key (or its id: see Parsed.refs)
    created: datetime | None = None
    resolved: datetime | None = None


@dataclass(frozen=True)
class Problem:
    """A row that cannot be imported, and why."""

    line: int
    key: str
    message: str
    where: str = "line"

    def __str__(self) -> str:
        key = f" ({self.key})" if self.key else ""
        return f"{self.where} {self.line}{key}: {self.message}"


@dataclass
class Parsed:
    """A whole export, read: its issues, the rows that could not be read, what was
    read from where (for the report), and the tool's other ids of its issues."""

    source: str
    issues: list[SourceIssue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # Jira issue id -> key
    # Linear: an issue with sub-issues is a feature (its sub-issues its stories).
    parents_are_features: bool = False
    # Status names that mean a column by default here (GitHub's OPEN and CLOSED).
    default_statuses: dict[str, str] = field(default_factory=dict)


class BadRow(Exception):
    """A cell that cannot be read; becomes a Problem for its row."""


def _points(text: str, notes: set[str]) -> int | None:
    """Story points from a cell: `5`, `5.0`, `0.5` (rounded, noted); else BadRow."""
    raw = text.strip().replace(",", ".")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise BadRow(f"story points {text[:20]!r} is not a number") from None
    if not 0 <= number <= validate.POINTS_MAX:
        raise BadRow(f"story points {text[:20]} out of 0–{validate.POINTS_MAX}")
    whole = int(number + 0.5)
    if whole != number:
        notes.add("fractional story points were rounded to whole points")
    return whole


def _when(reader: DateReader, text: str, what: str) -> datetime | None:
    try:
        moment = reader.read(text)
    except (ValueError, OverflowError):
        raise BadRow(f"{what} {text[:30]!r} is not a date tpm can read") from None
    if moment is not None and not validate.DATE_MIN <= moment.date() <= validate.DATE_MAX:
        raise BadRow(f"{what} {text[:30]} is out of range ({validate.DATE_MIN}…)")
    return moment


def _day(reader: DateReader, text: str, what: str) -> date | None:
    moment = _when(reader, text, what)
    return moment.date() if moment is not None else None


def _key(text: str, what: str = "key") -> str:
    key = " ".join(text.split())
    if not key:
        raise BadRow(f"no {what}: every issue needs one to be found again next time")
    if len(key) > KEY_MAX:
        raise BadRow(f"the {what} is longer than {KEY_MAX} characters")
    return key


def _debt(kind: str, labels: list[str]) -> str:
    """A story or bug labelled tech-debt (or debt) is debt."""
    if kind in ("story", "bug") and any(label.lower() in DEBT_LABELS for label in labels):
        return "debt"
    return kind


def _rows(
    table: CsvTable,
    parsed: Parsed,
    key_columns: tuple[str, ...],
    read: Callable[[CsvRow], SourceIssue],
) -> None:
    """Read every row, a bad one becoming a Problem (with its key when there is one)."""
    seen: dict[str, int] = {}
    for row in table.rows:
        key = row.first(*key_columns)
        try:
            issue = read(row)
        except BadRow as bad:
            parsed.problems.append(Problem(row.line, key[:KEY_MAX], str(bad)))
            continue
        if issue.key in seen:
            parsed.problems.append(
                Problem(
                    row.line, issue.key, f"the key appears twice (first on line {seen[issue.key]})"
                )
            )
            continue
        seen[issue.key] = row.line
        parsed.issues.append(issue)


def _require(table: CsvTable, name: str, tool: str, *columns: tuple[str, ...]) -> None:
    for names in columns:
        if not table.has(*names):
            found = ", ".join(table.header[:8]) + ("…" if len(table.header) > 8 else "")
            raise InvalidInput(
                f"{name}: not a {tool} CSV export: it has no {names[0]!r} column "
                f"(its columns: {found or 'none'})"
            )


def _dates(table: CsvTable, zone: tzinfo, *columns: str) -> DateReader:
    reader = DateReader(zone)
    reader.learn([value for row in table.rows for value in row.all(*columns)])
    return reader


# ---------------------------------------------------------------- Jira

JIRA_POINTS = (
    "Custom field (Story Points)",
    "Custom field (Story point estimate)",
    "Story Points",
    "Story point estimate",
)
JIRA_KINDS = {
    "epic": "epic",
    "feature": "feature",
    "bug": "bug",
    "defect": "bug",
    "sub-task": SUBTASK,
    "subtask": SUBTASK,
    "sub task": SUBTASK,
    "technical debt": "debt",
    "tech debt": "debt",
}


def read_jira(data: bytes, name: str, zone: tzinfo) -> Parsed:
    """A Jira CSV export ("Export > CSV (all fields)" or the current fields)."""
    table = read_csv(decode(data, name), name)
    _require(table, name, "Jira", ("Issue key", "Key"), ("Summary",), ("Issue Type",))
    parsed = Parsed("jira")
    notes: set[str] = set()
    points_from = [c for c in JIRA_POINTS if table.has(c)]
    if points_from:
        notes.add(f"story points from {', '.join(repr(c) for c in points_from)}")
    else:
        notes.add("no story points column: items come unestimated")
    dates = _dates(table, zone, "Created", "Resolved")
    for row in table.rows:
        issue_id, key = row.first("Issue id"), row.first("Issue key", "Key")
        if issue_id and key:
            parsed.refs[issue_id] = key

    def read(row: CsvRow) -> SourceIssue:
        key = _key(row.first("Issue key", "Key"))
        type_name = row.first("Issue Type") or "Story"
        kind = _debt(JIRA_KINDS.get(type_name.lower(), "story"), row.all("Labels"))
        # Jira Cloud names the parent by its issue id ("Parent id", or "Parent" in
        # newer exports); older exports name an epic by its key ("Epic Link").
        parent = row.first(
            "Parent key", "Parent id", "Parent", "Custom field (Epic Link)", "Epic Link"
        )
        sprint = row.last("Sprint", "Custom field (Sprint)")
        return SourceIssue(
            line=row.line,
            key=key,
            type_name=type_name,
            kind=kind,
            title=row.first("Summary"),
            description=_jira_text(row.first("Description"), notes),
            points=_points(row.first(*JIRA_POINTS), notes),
            status=row.first("Status"),
            status_category=row.first("Status Category"),
            sprint=SprintRef(sprint) if sprint else None,
            owner=row.first("Assignee"),
            parent=parent or None,
            created=_when(dates, row.first("Created"), "Created"),
            resolved=_when(dates, row.first("Resolved"), "Resolved"),
        )

    _rows(table, parsed, ("Issue key", "Key"), read)
    parsed.notes = sorted(notes)
    return parsed


# A description holding HTML (some Jira Server exports, rich-text fields) rather than
# Jira's wiki markup, which is kept as written: jira2markdown, the library that converts
# it, took about a second for a 500-character description here, far too slow for an
# export of thousands of issues.
_HTML = re.compile(
    r"<(?:p|br|b|i|u|em|strong|ul|ol|li|div|span|a|h[1-6]|pre|code|table)\b[^>]*>", re.I
)


def _jira_text(text: str, notes: set[str]) -> str:
    """A description as Markdown: HTML converted (markdownify), wiki markup kept."""
    if not _HTML.search(text):
        return text
    from markdownify import markdownify

    try:
        converted = str(markdownify(text, heading_style="ATX")).strip()
    except Exception:  # a converter's failure on odd HTML must not stop the import
        return text
    notes.add("descriptions in HTML converted to Markdown")
    return converted


def is_jira_key(text: str) -> bool:
    """Whether a cell holds an issue key (PAY-142) rather than a numeric issue id."""
    return bool(_JIRA_KEY.match(text))


# ---------------------------------------------------------------- Linear

LINEAR_KINDS = {"bug": "bug", "epic": "epic"}


def read_linear(data: bytes, name: str, zone: tzinfo) -> Parsed:
    """Linear's CSV export (Settings > Import/Export > Export CSV): ID, Title, Status,
    Estimate, Labels (comma-separated), Cycle, Project, Parent issue..."""
    table = read_csv(decode(data, name), name)
    _require(table, name, "Linear", ("ID",), ("Title",))
    parsed = Parsed("linear", parents_are_features=True)
    notes: set[str] = set()
    if table.has("Estimate"):
        notes.add("story points from 'Estimate'")
    if table.has("Project"):
        notes.add("projects become epics (key project:NAME)")
    dates = _dates(table, zone, "Created", "Completed", "Canceled", "Cycle Start", "Cycle End")
    projects: dict[str, SourceIssue] = {}

    def read(row: CsvRow) -> SourceIssue:
        key = _key(row.first("ID"))
        labels = [part.strip() for cell in row.all("Labels") for part in cell.split(",")]
        kind = "story"
        type_name = "issue"
        for label in labels:
            if label.lower() in LINEAR_KINDS:
                kind, type_name = LINEAR_KINDS[label.lower()], f"label {label}"
        kind = _debt(kind, labels)
        project = " ".join(row.first("Project").split())
        parent = row.first("Parent issue", "Parent")
        if project and kind != "epic":
            project_key = _key(f"project:{project}"[:KEY_MAX])
            projects.setdefault(
                project_key,
                SourceIssue(
                    row.line, project_key, "project", "epic", project[: validate.TITLE_MAX]
                ),
            )
            parent = parent or project_key
        number, cycle = row.first("Cycle Number"), row.first("Cycle Name")
        sprint = None
        if cycle or number:
            sprint = SprintRef(
                cycle or f"Cycle {number}",
                _day(dates, row.first("Cycle Start"), "Cycle Start"),
                _day(dates, row.first("Cycle End"), "Cycle End"),
            )
        return SourceIssue(
            line=row.line,
            key=key,
            type_name=type_name,
            kind=kind,
            title=row.first("Title"),
            description=row.first("Description"),
            points=_points(row.first("Estimate"), notes),
            status=row.first("Status"),
            sprint=sprint,
            owner=row.first("Assignee"),
            parent=parent or None,
            created=_when(dates, row.first("Created"), "Created"),
            resolved=_when(dates, row.first("Completed", "Canceled"), "Completed"),
        )

    _rows(table, parsed, ("ID",), read)
    taken = {issue.key for issue in parsed.issues}
    parsed.issues[:0] = [p for key, p in projects.items() if key not in taken]
    parsed.notes = sorted(notes)
    return parsed


# ---------------------------------------------------------------- GitHub

_GITHUB_URL = re.compile(r"github\.com/([^/\s]+/[^/\s]+)/(?:issues|pull)/(\d+)")
_POINTS_LABEL = re.compile(r"^(?:points?|pts|sp|estimate|story ?points?)\s*[:=/ ]\s*(\S+)$", re.I)
GITHUB_KINDS = {"epic": "epic", "bug": "bug"}


def _names(value: Any, field_name: str) -> list[str]:
    """`[{"name": "bug"}, ...]` (or plain strings) as a list of names."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRow(f"{field_name} is not a list")
    out = []
    for entry in value:
        name = entry.get(field_name) if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def _text(issue: dict[str, Any], name: str) -> str:
    value = issue.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRow(f"{name} is not text")
    return value


def _github_issue(index: int, issue: Any, dates: DateReader, notes: set[str]) -> SourceIssue:
    if not isinstance(issue, dict):
        raise BadRow("not an object: expected the output of gh issue list --json")
    number = issue.get("number")
    url = _text(issue, "url")
    found = _GITHUB_URL.search(url)
    if found:
        key = f"{found[1]}#{found[2]}"
    elif isinstance(number, int) and not isinstance(number, bool):
        key = f"#{number}"
    else:
        raise BadRow("no number and no url: every issue needs one to be found again")
    labels = _names(issue.get("labels"), "name")
    kind, type_name = "story", "issue"
    points: int | None = None
    for label in labels:
        if label.lower() in GITHUB_KINDS:
            kind, type_name = GITHUB_KINDS[label.lower()], f"label {label}"
        if m := _POINTS_LABEL.match(label):
            points = _points(m[1], notes)
            notes.add("story points from labels such as points:5")
    for name in ("points", "Points", "estimate", "Estimate"):
        value = issue.get(name)
        if (
            value is not None
            and not isinstance(value, bool)
            and isinstance(value, int | float | str)
        ):
            points = _points(str(value), notes)
            notes.add(f"story points from the {name!r} field")
    status = _text(issue, "state") or "OPEN"
    items = issue.get("projectItems")
    if isinstance(items, list):
        for item in items:
            column = item.get("status") if isinstance(item, dict) else None
            if isinstance(column, dict) and isinstance(column.get("name"), str):
                status = column["name"]
    milestone = issue.get("milestone")
    sprint = None
    if isinstance(milestone, dict) and isinstance(milestone.get("title"), str):
        due = milestone.get("dueOn")
        sprint = SprintRef(
            milestone["title"],
            None,
            _day(dates, due, "milestone dueOn") if isinstance(due, str) else None,
        )
    owners = _names(issue.get("assignees"), "login")
    return SourceIssue(
        line=index,
        key=_key(key),
        type_name=type_name,
        kind=_debt(kind, labels),
        title=_text(issue, "title"),
        description=_text(issue, "body"),
        points=points,
        status=status,
        sprint=sprint,
        owner=owners[0] if owners else "",
        created=_when(dates, _text(issue, "createdAt"), "createdAt"),
        resolved=_when(dates, _text(issue, "closedAt"), "closedAt"),
    )


def read_github(data: bytes, name: str, zone: tzinfo) -> Parsed:
    """The output of `gh issue list --state all --json number,title,body,labels,
    milestone,state,assignees,url` (createdAt, closedAt and projectItems are read too
    when asked for)."""
    try:
        issues = json.loads(decode(data, name))
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidInput(f"{name}: not valid JSON ({error})") from None
    if isinstance(issues, dict) and isinstance(issues.get("issues"), list):
        issues = issues["issues"]
    if not isinstance(issues, list):
        raise InvalidInput(f"{name}: expected a list of issues, as `gh issue list --json` prints")
    parsed = Parsed("github", default_statuses={"open": "backlog", "closed": "done"})
    notes: set[str] = set()
    dates = DateReader(zone)
    seen: dict[str, int] = {}
    for index, raw in enumerate(issues, start=1):
        guess = raw.get("number") if isinstance(raw, dict) else None
        try:
            issue = _github_issue(index, raw, dates, notes)
        except BadRow as bad:
            parsed.problems.append(Problem(index, f"#{guess}" if guess else "", str(bad), "issue"))
            continue
        if issue.key in seen:
            parsed.problems.append(
                Problem(
                    index, issue.key, f"appears twice (first as issue {seen[issue.key]})", "issue"
                )
            )
            continue
        seen[issue.key] = index
        parsed.issues.append(issue)
    parsed.notes = sorted(notes)
    return parsed


READERS: dict[str, Callable[[bytes, str, tzinfo], Parsed]] = {
    "jira": read_jira,
    "github": read_github,
    "linear": read_linear,
}
