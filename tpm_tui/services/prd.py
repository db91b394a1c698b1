"""An epic's PRD: its template, the check of which sections are still empty, its
versions (kept by services/documents.py), and the appendix generated from the backlog
under the epic (features, stories, points, status, acceptance criteria, blockers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog, documents
from tpm_tui.services.backlog import ItemView
from tpm_tui.services.documents import (
    Current,
    DocKind,
    Saved,
    Sections,
    Version,
)
from tpm_tui.sql import compiled as q
from tpm_tui.text import markdown_text

SECTIONS = (
    "Problem",
    "Goals and non-goals",
    "Users and stories",
    "Requirements",
    "Acceptance criteria",
    "Metrics",
    "Risks and dependencies",
    "Open questions",
    "Timeline",
)
"""The template's sections, in order: a PRD has written a section when the section's
heading is there and something more than notes (HTML comments) stands under it."""

_HINTS = {
    "Problem": "What problem, for whom, and how do we know it is real?",
    "Goals and non-goals": "What this epic must achieve, and what it deliberately will not do.",
    "Users and stories": "Who uses it and what they do (the stories are in the appendix).",
    "Requirements": "What it must do, as numbered statements a test can check.",
    "Acceptance criteria": "How we will know it is done.",
    "Metrics": "Which key results it moves, and by how much.",
    "Risks and dependencies": "What could stop it, and what it waits for.",
    "Open questions": "What is not decided yet, and who decides.",
    "Timeline": "Start, target date, milestones.",
}

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_WORDS = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class SectionCheck:
    """Which of the template's sections a PRD has written, left empty, or lacks."""

    filled: tuple[str, ...]
    empty: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def sections(self) -> Sections:
        """Written of all, as stored with each version."""
        return Sections(len(self.filled), len(SECTIONS))

    @property
    def unwritten(self) -> tuple[str, ...]:
        """The sections still to write (empty or missing), in the template's order."""
        return tuple(s for s in SECTIONS if s not in self.filled)


def _key(title: str) -> str:
    return _WORDS.sub(" ", title.lower()).strip()


_KEYS = [(_key(s), s) for s in SECTIONS]


def _section_of(heading: str) -> str | None:
    """The template section a heading names (`## Metrics — which KRs` is Metrics)."""
    key = _key(heading)
    for wanted, name in _KEYS:
        if key == wanted or key.startswith(wanted + " "):
            return name
    return None


def check_sections(text: str) -> SectionCheck:
    """Which template sections the text has written. A heading of any level opens a
    section, which runs to the next heading of the same or a higher level; notes in
    HTML comments and sub-headings alone do not count as writing; headings inside code
    blocks are not headings. One pass over the lines (a 5,000-line PRD takes a few ms)."""
    if "<!--" in text:
        text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    written: dict[str, bool] = {}
    open_sections: list[tuple[int, str]] = []  # (level, name) of template sections
    fence: str | None = None
    for line in text.split("\n"):
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            elif open_sections:
                _mark(written, open_sections)
            continue
        if (found := _FENCE.match(line)) is not None:
            fence = found.group(1)
            if open_sections:
                _mark(written, open_sections)
            continue
        heading = _HEADING.match(line) if line.lstrip().startswith("#") else None
        if heading is not None:
            level = len(heading.group(1))
            while open_sections and open_sections[-1][0] >= level:
                open_sections.pop()
            name = _section_of(heading.group(2) or "")
            if name is not None:
                written.setdefault(name, False)
                open_sections.append((level, name))
            continue
        if open_sections and line.strip():
            _mark(written, open_sections)
    filled = tuple(s for s in SECTIONS if written.get(s))
    empty = tuple(s for s in SECTIONS if s in written and not written[s])
    missing = tuple(s for s in SECTIONS if s not in written)
    return SectionCheck(filled, empty, missing)


def _mark(written: dict[str, bool], open_sections: list[tuple[int, str]]) -> None:
    # Text under a sub-heading of a section is that section's text too.
    for _level, name in open_sections:
        written[name] = True


def template(epic: ItemView, key_results: list[str] | None = None) -> str:
    """A new PRD for an epic: every section with a note on what goes in it. The epic's
    description, if it has one, starts the Problem section; its key results and dates
    are named in the notes of Metrics and Timeline."""
    lines = [f"# PRD: {epic.title}", ""]
    for name in SECTIONS:
        lines += [f"## {name}", ""]
        hint = _HINTS[name]
        if name == "Metrics" and key_results:
            hint += " Its goal's key results: " + "; ".join(key_results) + "."
        if name == "Timeline" and (epic.start_date or epic.target_date):
            hint += f" On the roadmap: {_day(epic.start_date)} → {_day(epic.target_date)}."
        lines += [f"<!-- {hint.replace('--', '—')} -->", ""]
        if name == "Problem" and epic.description.strip():
            lines += [_under_a_section(epic.description.strip()), ""]
    return "\n".join(lines)


def _under_a_section(text: str) -> str:
    """`text` (an epic's description) to go under a `##` section: its headings made
    sub-headings (`# Why` → `### Why`), so it neither ends the section nor adds a title
    beside the PRD's own; lines in code blocks are left as they are."""
    out, fence = [], None
    for line in text.split("\n"):
        if fence is not None:
            fence = None if line.lstrip().startswith(fence) else fence
        elif (found := _FENCE.match(line)) is not None:
            fence = found.group(1)
        elif (heading := _HEADING.match(line)) is not None and len(heading.group(1)) < 3:
            line = f"### {heading.group(2) or ''}".rstrip()
        out.append(line)
    return "\n".join(out)


def _day(day: date | None) -> str:
    return day.isoformat() if day else "no date"


# ---------------------------------------------------------------- storing


def epic_of(db: Database, item_id: int) -> ItemView:
    """The epic a PRD belongs to; any other item is refused in one line (naming its
    epic, if it has one)."""
    item = backlog.get_item(db, item_id)
    if item.kind is not Kind.EPIC:
        where = f" (its epic is #{item.epic_id})" if item.epic_id else ""
        raise InvalidInput(f"#{item.id} is a {item.kind.value}: PRDs belong to epics{where}", "id")
    return item


def current(db: Database, epic_id: int) -> Current | None:
    """The epic's PRD as last saved, or None if it has none yet."""
    return documents.current(db, DocKind.PRD, epic_id)


def save_prd(
    db: Database, clock: Clock, epic_id: int, text: str, over: int | None = documents.ANY_VERSION
) -> Saved:
    """Save a new version of the epic's PRD (cleaned as typed; the same text again
    saves nothing). `over`: the version the text was opened on (None: none yet); a
    version saved since is not overwritten (documents.DocumentChanged)."""
    epic_of(db, epic_id)
    cleaned = documents.clean_text(text, "PRD")
    return documents.save(
        db, clock, DocKind.PRD, epic_id, cleaned, check_sections(cleaned).sections, over
    )


class PrdEditing(documents.Editing):
    """One editing of an epic's PRD (opened on its text, or on the template naming the
    goal's key results): see documents.Editing."""

    def __init__(self, db: Database, clock: Clock, epic_id: int) -> None:
        text, over = opening(db, clock, epic_id)
        super().__init__(
            db,
            DocKind.PRD,
            epic_id,
            text,
            over,
            lambda typed, version: save_prd(db, clock, epic_id, typed, version),
        )


def history(db: Database, epic_id: int) -> list[Version]:
    """Every saved version of the epic's PRD, oldest first."""
    epic_of(db, epic_id)
    return documents.history(db, DocKind.PRD, epic_id)


def last_change(db: Database, clock: Clock, epic_id: int) -> str:
    """The last change to the epic's PRD as a unified diff ("" if it has one version)."""
    epic_of(db, epic_id)
    return documents.last_change(db, DocKind.PRD, epic_id, clock)


def starting_text(db: Database, clock: Clock, epic_id: int) -> tuple[str, bool]:
    """What the editor opens on: the saved PRD, or the template for a new one (True),
    naming the key results of the goal the epic serves."""
    text, version = opening(db, clock, epic_id)
    return text, version is None


def opening(db: Database, clock: Clock, epic_id: int) -> tuple[str, int | None]:
    """What the editor opens on and the version it is (None: the template, no PRD
    yet): the version a save must not find overtaken (save_prd's `over`)."""
    epic = epic_of(db, epic_id)
    found = current(db, epic_id)
    if found is not None:
        return found.body, found.version_id
    results: list[str] = []
    if epic.goal_id is not None:
        from tpm_tui.services.goals import load_goals

        for goal in load_goals(db, clock, archived=None).goals:
            if goal.id == epic.goal_id:
                results = [
                    f"KR{kr.id} {kr.title} {kr.shown(kr.baseline)} → {kr.shown(kr.target)}"
                    for kr in goal.key_results
                ]
    return template(epic, results), None


def statuses(db: Database) -> dict[int, Sections]:
    """Per epic with a PRD: its sections written of all (no PRD text is read)."""
    with db.read() as ex:
        rows = ex.rows(q.prd_statuses)
    return {int(item_id): Sections(filled, total) for item_id, filled, total in rows}


def status(db: Database, epic_id: int) -> Sections | None:
    """One epic's PRD sections written of all, or None if it has no PRD."""
    found = current(db, epic_id)
    return found.sections if found is not None else None


# ---------------------------------------------------------------- the appendix


def _points(item: ItemView, rollup: backlog.Rollup | None) -> str:
    if item.kind.level < 2:
        if rollup is None or not rollup.items:
            return "no items yet"
        return f"{rollup.total_points} pts, {rollup.done_percent} % done"
    if item.points is None:
        return "not estimated"
    return f"{item.points} pt" if item.points == 1 else f"{item.points} pts"


def appendix(db: Database, epic_id: int) -> str:
    """The backlog under an epic as Markdown: each feature with its stories, bugs and
    debt, then the items straight under the epic; points, status, acceptance criteria
    and what each waits for. Generated each time, never stored."""
    from tpm_tui.services.filters import ItemFilter

    epic = epic_of(db, epic_id)
    items = [
        i
        for i in backlog.list_items(db, item_filter=ItemFilter(epic_id=epic_id))
        if i.id != epic_id
    ]
    columns = {c.key: c.name for c in backlog.list_columns(db)}
    sums = backlog.rollups(db, [i.id for i in items if i.kind is Kind.FEATURE])
    waits = backlog.dependencies(db)
    titles = {i.id: i for i in items}
    lines = [f"## Appendix: the backlog under #{epic.id} (generated)", ""]
    if not items:
        lines.append("Nothing under this epic yet.")
        return "\n".join(lines) + "\n"

    def describe(item: ItemView, depth: int) -> list[str]:
        pad = "  " * depth
        kind = item.kind.value.capitalize()
        status = columns.get(item.status, item.status)
        out = [
            f"{pad}- {kind} #{item.id} {markdown_text(item.title)} — "
            f"{_points(item, sums.get(item.id))} · {markdown_text(status)}"
        ]
        for blocker_id in waits.get(item.id, []):
            blocker = titles.get(blocker_id) or backlog.get_item(db, blocker_id)
            where = columns.get(blocker.status, blocker.status)
            out.append(
                f"{pad}  - Blocked by #{blocker.id} {markdown_text(blocker.title)}"
                f" ({markdown_text(where)})"
            )
        criteria = [c for c in item.acceptance.splitlines() if c.strip()]
        if criteria:
            out.append(f"{pad}  - Acceptance criteria:")
            out += [
                f"{pad}    {c.strip() if c.lstrip()[:2] in ('- ', '* ') else '- ' + c.strip()}"
                for c in criteria
            ]
        return out

    features = [i for i in items if i.kind is Kind.FEATURE]
    for feature in features:
        lines += describe(feature, 0)
        for child in items:
            if child.parent_id == feature.id:
                lines += describe(child, 1)
    loose = [i for i in items if i.kind is not Kind.FEATURE and i.parent_id == epic_id]
    if loose:
        if features:
            lines += ["", "Straight under the epic:", ""]
        for item in loose:
            lines += describe(item, 0)
    return "\n".join(lines) + "\n"


def render(db: Database, epic_id: int) -> str:
    """What `tpm prd EPIC` prints: the PRD (or a line saying there is none) and the
    generated appendix."""
    epic = epic_of(db, epic_id)
    found = current(db, epic_id)
    if found is None:
        body = (
            f"# PRD: {markdown_text(epic.title)}\n\n"
            f"_No PRD yet: `tpm prd {epic.id} --edit` starts one from the template._"
        )
    else:
        body = found.body
    return body.rstrip("\n") + "\n\n---\n\n" + appendix(db, epic_id)
