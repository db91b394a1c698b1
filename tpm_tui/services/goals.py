"""Goals and vision: the product vision (a short Markdown statement, versioned), the
goals beneath it, each with its key results (a metric from a baseline to a target,
its measured values over time) and the epics that serve it. A goal's progress is read
two ways, side by side: outcome (how far its key results moved) and output (the done
share of its epics' points), so a goal whose epics are done but whose numbers did not
move stands out."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.kinds import Kind
from tpm_tui.services import backlog, progress, validate
from tpm_tui.services.backlog import ItemView, Rollup
from tpm_tui.services.roadmap import RoadmapRow, status_of
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor
from tpm_tui.timescale import Status

if TYPE_CHECKING:
    from tpm_tui.services.documents import Current, Editing, Saved, Sections, Version

# The documents and PRD services (and difflib under them) are imported where the vision
# or the epics' PRDs are read: the status report reads only the goals' progress.

UNIT_MAX = 20
NUMBER_MAX = 1e15
SPARKS = "▁▂▃▄▅▆▇█"


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Measured:
    """One measured value of a key result."""

    id: int
    value: float
    recorded_on: date


@dataclass(frozen=True)
class KeyResultView:
    """A key result with its measured values, oldest first."""

    id: int
    goal_id: int
    title: str
    unit: str
    baseline: float
    target: float
    due_date: date | None
    position: int
    created_at: datetime
    archived_at: datetime | None
    values: tuple[Measured, ...] = ()

    @property
    def current(self) -> float:
        """The latest measured value (the baseline until one is measured)."""
        return self.values[-1].value if self.values else self.baseline

    @property
    def progress(self) -> float:
        """How far from the baseline to the target the current value is, in percent
        (0 to 100: a value past the target counts as 100, one the wrong way as 0)."""
        return progress.key_result_progress(self.current, self.baseline, self.target)

    def shown(self, value: float) -> str:
        """A value with the unit: `14 %`, `1.5 s`, `320`."""
        return with_unit(value, self.unit)

    def sparkline(self, width: int = 12) -> str:
        """The measured values over time (the newest `width`), baseline first."""
        series = [self.baseline, *(v.value for v in self.values)][-width:]
        return sparkline(series, min(self.baseline, self.target), max(self.baseline, self.target))


def number(value: float) -> str:
    """A measured number as people write it: `12`, `12.5`, `0.25`, `-3`."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def with_unit(value: float, unit: str) -> str:
    """`12 %`, `3 days`, `320` (no unit)."""
    return f"{number(value)} {unit}" if unit else number(value)


def sparkline(series: list[float], low: float, high: float) -> str:
    """One character per value, ▁ at `low` (or the series' lowest) to █ at `high` (or
    its highest)."""
    if not series:
        return ""
    low, high = min(low, *series), max(high, *series)
    span = high - low
    if span <= 0:
        return SPARKS[0] * len(series)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / span * top)] for v in series)


def parse_number(text: str | float | int, what: str) -> float:
    """A number as typed (`12`, `12.5`, `-3`, `1e3`), finite and not huge."""
    if isinstance(text, bool):
        raise InvalidInput(f"the {what} must be a number, not {text!r}", what)
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = text.strip().replace("_", "x")  # float() would take 1_000
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInput(
                f"the {what} must be a number such as 12 or 12.5, not {text[:20]!r}", what
            ) from None
    if not math.isfinite(value) or abs(value) > NUMBER_MAX:
        raise InvalidInput(f"the {what} must be a number between -1e15 and 1e15", what)
    return value


# ---------------------------------------------------------------- goals


@dataclass(frozen=True)
class EpicLine:
    """An epic serving a goal, as the goals screen and the report show it."""

    item: ItemView
    done_percent: int
    status: Status
    prd: Sections | None = None


@dataclass(frozen=True)
class GoalView:
    """A goal with its key results, the epics that serve it and both progresses."""

    id: int
    title: str
    description: str
    due_date: date | None
    position: int
    created_at: datetime
    archived_at: datetime | None
    key_results: tuple[KeyResultView, ...] = ()
    epics: tuple[EpicLine, ...] = ()
    output: Rollup | None = None

    @property
    def archived(self) -> bool:
        """Whether the goal is archived."""
        return self.archived_at is not None

    @property
    def label(self) -> str:
        """`G3`."""
        return f"G{self.id}"

    @property
    def outcome_percent(self) -> int | None:
        """The mean progress of its key results (None without any)."""
        return progress.outcome_percent(kr.progress for kr in self.key_results)

    @property
    def output_percent(self) -> int | None:
        """The done share of its epics' points (by item count when nothing is
        estimated); None when no work sits under its epics."""
        return progress.output_percent(None if self.output is None else self.output.sums)

    @property
    def output_ahead(self) -> bool:
        """Whether its epics are done well ahead of its numbers moving."""
        return progress.output_ahead(self.outcome_percent, self.output_percent)


@dataclass(frozen=True)
class Goals:
    """The goals screen's data: the vision and the goals, plus the epics serving none."""

    vision: Current | None
    goals: list[GoalView]
    unlinked: list[EpicLine] = field(default_factory=list)


def _goal(row: tuple[object, ...]) -> GoalView:
    return GoalView(*row)  # type: ignore[arg-type]


def _goal_rows(ex: Executor) -> list[GoalView]:
    return [_goal(row) for row in ex.rows(q.goals_all)]


def list_goals(db: Database, *, archived: bool | None = False) -> list[GoalView]:
    """The goals, in order, without their key results (False: active ones; True:
    archived ones; None: both)."""
    with db.read() as ex:
        goals = _goal_rows(ex)
    return [g for g in goals if archived is None or g.archived == archived]


_GOAL_REF = re.compile(r"(?i)^\s*(?:g|#)?\s*(\d{1,18})\s*$")
_KR_REF = re.compile(r"(?i)^\s*(?:kr|#)?\s*(\d{1,18})\s*$")


def resolve_goal(db: Database, text: str) -> GoalView:
    """A goal by its id (`3`, `G3`) or by its title or a part of it that only one goal
    has (any case); archived goals are found too."""
    goals = list_goals(db, archived=None)
    if (found := _GOAL_REF.match(text)) is not None:
        wanted = int(found.group(1))
        for goal in goals:
            if goal.id == wanted:
                return goal
        raise NotFound(f"no goal G{wanted}: `tpm goal list` shows the goals", "goal")
    needle = text.strip().lower()
    if needle:
        exact = [g for g in goals if g.title.lower() == needle]
        if len(exact) == 1:
            return exact[0]
        partial = [g for g in goals if needle in g.title.lower()]
        active = [g for g in partial if not g.archived]
        if len(partial) == 1 or len(active) == 1:
            return partial[0] if len(partial) == 1 else active[0]
        if len(partial) > 1:
            names = ", ".join(f"{g.label} {g.title}" for g in partial[:4])
            raise InvalidInput(f"{text!r} names several goals ({names}): say its id", "goal")
    raise NotFound(f"no goal {text[:60]!r}: `tpm goal list` shows the goals", "goal")


def create_goal(
    db: Database,
    clock: Clock,
    title: str,
    description: str = "",
    due_date: date | None = None,
) -> GoalView:
    """Add a product goal at the end of the list."""
    clean = validate.title(title)
    clean_description = validate.block(description, "description")
    due = validate.day(due_date, "due_date")
    now = clock.now()
    with db.write() as ex:
        position = int(ex.scalar(q.goal_max_position) or 0) + 1
        goal_id = ex.scalar(
            q.goal_insert,
            title=clean,
            description=clean_description,
            position=position,
            created_at=now,
            due_date=due,
            archived_at=None,
        )
    return GoalView(int(goal_id), clean, clean_description, due, position, now, None)


def edit_goal(
    db: Database,
    goal_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    due_date: date | None = None,
    clear_due: bool = False,
) -> GoalView:
    """Change a goal's title, description or due date (`clear_due` removes the date)."""
    with db.write() as ex:
        row = _goal_row(ex, goal_id)
        if title is not None:
            row["title"] = validate.title(title)
        if description is not None:
            row["description"] = validate.block(description, "description")
        if due_date is not None or clear_due:
            row["due_date"] = validate.day(due_date, "due_date")
        return _store_goal(ex, row)


def _store_goal(ex: Executor, row: dict[str, object]) -> GoalView:
    """Write a goal's changed row back."""
    ex.run(q.goal_update, row_id=row["id"], **{k: v for k, v in row.items() if k != "id"})
    return GoalView(**row)  # type: ignore[arg-type]


def _goal_row(ex: Executor, goal_id: int) -> dict[str, object]:
    row = ex.record(q.goal_row, id=goal_id)
    if row is None:
        raise NotFound(f"no goal G{goal_id}: `tpm goal list` shows the goals", "goal")
    return row


def set_goal_archived(db: Database, clock: Clock, goal_id: int, archived: bool) -> GoalView:
    """Archive a goal (off the goals screen and the roadmap's grouping; its epics keep
    pointing at it) or bring it back."""
    with db.write() as ex:
        row = _goal_row(ex, goal_id)
        if archived and row["archived_at"] is None:
            row["archived_at"] = clock.now()
        elif not archived:
            row["archived_at"] = None
        return _store_goal(ex, row)


# ---------------------------------------------------------------- key results


def _kr_row(ex: Executor, kr_id: int) -> dict[str, object]:
    row = ex.record(q.key_result_row, id=kr_id)
    if row is None:
        raise NotFound(f"no key result KR{kr_id}: `tpm goal list` shows them", "key_result")
    return row


def resolve_key_result(db: Database, text: str) -> KeyResultView:
    """A key result by its id (`4`, `KR4`)."""
    found = _KR_REF.match(text)
    if found is None:
        raise InvalidInput(
            f"{text[:30]!r} is not a key result: say its id, such as KR4 (`tpm goal list`)",
            "key_result",
        )
    return key_result(db, int(found.group(1)))


def key_result(db: Database, kr_id: int) -> KeyResultView:
    """One key result with its values."""
    with db.read() as ex:
        row = _kr_row(ex, kr_id)
        values = _values(ex).get(kr_id, ())
    return KeyResultView(**row, values=tuple(values))  # type: ignore[arg-type]


def add_key_result(
    db: Database,
    clock: Clock,
    goal_id: int,
    title: str,
    baseline: float | str,
    target: float | str,
    unit: str = "",
    current: float | str | None = None,
    due_date: date | None = None,
) -> KeyResultView:
    """Add a key result to a goal: a metric from a baseline to a target (a target equal
    to the baseline is refused: nothing could move), with its current value if known."""
    clean = validate.title(title)
    clean_unit = validate.line(unit, "unit", UNIT_MAX)
    start = parse_number(baseline, "baseline")
    end = parse_number(target, "target")
    if start == end:
        raise InvalidInput(
            f"the target {number(end)} is the baseline: a key result moves a number "
            "from where it is to where it should be",
            "target",
        )
    now_value = parse_number(current, "current value") if current is not None else None
    due = validate.day(due_date, "due_date")
    now = clock.now()
    with db.write() as ex:
        goal = _goal_row(ex, goal_id)
        if goal["archived_at"] is not None:
            raise InvalidInput(f"G{goal_id} is archived: `tpm goal restore G{goal_id}` first")
        position = int(ex.scalar(q.key_result_max_position, goal_id=goal_id) or 0) + 1
        kr_id = int(
            ex.scalar(
                q.key_result_insert,
                goal_id=goal_id,
                title=clean,
                unit=clean_unit,
                baseline=start,
                target=end,
                due_date=due,
                position=position,
                created_at=now,
                archived_at=None,
            )
        )
        values: tuple[Measured, ...] = ()
        if now_value is not None:
            value_id = ex.scalar(
                q.key_result_value_insert,
                key_result_id=kr_id,
                value=now_value,
                recorded_on=clock.today(),
                created_at=now,
            )
            values = (Measured(int(value_id), now_value, clock.today()),)
    return KeyResultView(
        kr_id, goal_id, clean, clean_unit, start, end, due, position, now, None, values
    )


def record_value(
    db: Database, clock: Clock, kr_id: int, value: float | str, on: date | None = None
) -> tuple[KeyResultView, Measured]:
    """Record a key result's value on a day (today by default); every value is kept,
    so the key result's history (its sparkline) grows."""
    measured = parse_number(value, "value")
    day = validate.day(on, "date") or clock.today()
    if day > clock.today():
        # A value from the future would stay the current one until that day passed,
        # hiding every value measured meanwhile.
        raise InvalidInput(f"{day} is after today: a value is recorded once measured", "date")
    with db.write() as ex:
        row = _kr_row(ex, kr_id)
        if row["archived_at"] is not None:
            raise InvalidInput(f"KR{kr_id} is archived: it takes no new values", "key_result")
        value_id = int(
            ex.scalar(
                q.key_result_value_insert,
                key_result_id=kr_id,
                value=measured,
                recorded_on=day,
                created_at=clock.now(),
            )
        )
        values = _values(ex).get(kr_id, ())
    view = KeyResultView(**row, values=tuple(values))  # type: ignore[arg-type]
    return view, Measured(value_id, measured, day)


def forget_value(db: Database, value_id: int) -> None:
    """Delete a recorded value (undo of recording it)."""
    with db.write() as ex:
        if not ex.run(q.key_result_value_delete, id=value_id):
            raise NotFound("that value is gone already", "value")


def set_key_result_archived(db: Database, clock: Clock, kr_id: int, archived: bool) -> None:
    """Archive a key result (it no longer counts in its goal's outcome) or restore it."""
    with db.write() as ex:
        row = _kr_row(ex, kr_id)
        row["archived_at"] = clock.now() if archived else None
        ex.run(q.key_result_update, row_id=kr_id, **{k: v for k, v in row.items() if k != "id"})


def _values(ex: Executor) -> dict[int, list[Measured]]:
    out: dict[int, list[Measured]] = {}
    for value_id, kr_id, value, on, _created in ex.rows(q.key_result_values_all):
        out.setdefault(int(kr_id), []).append(Measured(int(value_id), float(value), on))
    return out


# ---------------------------------------------------------------- epics


def link_epic(db: Database, clock: Clock, epic_id: int, goal_id: int | None) -> ItemView:
    """Say which goal an epic serves (None: none). Only epics serve goals, and only
    goals that are not archived take new epics."""
    item = backlog.get_item(db, epic_id)
    if item.kind is not Kind.EPIC:
        raise InvalidInput(
            f"#{item.id} is a {item.kind.value}: only epics serve goals"
            + (f" (its epic is #{item.epic_id})" if item.epic_id else ""),
            "goal",
        )
    if goal_id is not None:
        with db.read() as ex:
            goal = _goal_row(ex, goal_id)
        if goal["archived_at"] is not None and item.goal_id != goal_id:
            raise InvalidInput(f"G{goal_id} is archived: `tpm goal restore G{goal_id}` first")
    return backlog.edit_item(db, clock, epic_id, goal_id=goal_id)


def epic_lines(db: Database, clock: Clock) -> list[EpicLine]:
    """Every epic on the board with its done share, roadmap status and PRD sections."""
    from tpm_tui.services import prd

    today = clock.today()
    epics = backlog.list_items(db, kinds=[Kind.EPIC])
    sums = backlog.rollups(db, [e.id for e in epics])
    done_columns = {c.key for c in backlog.list_columns(db) if c.is_done}
    prds = prd.statuses(db)
    out = []
    for epic in epics:
        rollup = sums.get(epic.id)
        in_done = epic.status in done_columns
        percent = rollup.done_percent if rollup else (100 if in_done else 0)
        status = status_of(epic, rollup, today, in_done)
        out.append(EpicLine(epic, percent, status, prds.get(epic.id)))
    return out


# ---------------------------------------------------------------- reading it all


def goal_progress(db: Database, *, archived: bool | None = False) -> list[GoalView]:
    """The goals (False: active ones; True: archived; None: both), each with its key
    results (archived ones left out), their values and its output, without the epics
    serving it or the vision (the status report's headline)."""
    with db.read() as ex:
        goals, results, outputs = progress.read_goals(ex, archived)
    names = q.key_results_all.names
    views = []
    for row in goals:
        krs = tuple(
            KeyResultView(
                **dict(zip(names, kr, strict=True)),
                values=tuple(Measured(int(v[0]), float(v[2]), v[3]) for v in values),
            )
            for kr, values in results.get(int(row[0]), ())
        )
        output = outputs.get(int(row[0]))
        views.append(
            replace(_goal(row), key_results=krs, output=None if output is None else Rollup(*output))
        )
    return views


def load_goals(db: Database, clock: Clock, *, archived: bool | None = False) -> Goals:
    """The vision and the goals (False: active ones; True: archived; None: both), each
    with its progress (see `goal_progress`) and the epics serving it; and the epics
    that serve no active goal."""
    every = goal_progress(db, archived=None)
    lines = epic_lines(db, clock)
    serving: dict[int, list[EpicLine]] = {}
    for line in lines:
        if line.item.goal_id is not None:
            serving.setdefault(line.item.goal_id, []).append(line)
    shown = [
        replace(g, epics=tuple(serving.get(g.id, ())))
        for g in every
        if archived is None or g.archived == archived
    ]
    active = {g.id for g in every if not g.archived}
    unlinked = [e for e in lines if e.item.goal_id not in active]
    return Goals(vision(db), shown, unlinked)


# ---------------------------------------------------------------- the vision


def vision(db: Database) -> Current | None:
    """The product vision as last saved, or None."""
    from tpm_tui.services import documents

    return documents.current(db, documents.DocKind.VISION, None)


def save_vision(db: Database, clock: Clock, text: str, over: int | None = -1) -> Saved:
    """Save a new version of the vision (the same text again saves nothing). `over`:
    the version the text was opened on (None: none yet; -1, documents.ANY_VERSION:
    no check); a version saved since is not overwritten (documents.DocumentChanged)."""
    from tpm_tui.services import documents

    cleaned = documents.clean_text(text, "vision")
    return documents.save(
        db, clock, documents.DocKind.VISION, None, cleaned, documents.Sections(0, 0), over
    )


def vision_editing(db: Database, clock: Clock) -> Editing:
    """One editing of the vision (opened on its text, or on the template): a save never
    silently reverts a version saved elsewhere meanwhile (documents.Editing)."""
    from tpm_tui.services import documents

    found = vision(db)
    return documents.Editing(
        db,
        documents.DocKind.VISION,
        None,
        found.body if found is not None else VISION_TEMPLATE,
        found.version_id if found is not None else None,
        lambda text, over: save_vision(db, clock, text, over),
    )


def vision_history(db: Database) -> list[Version]:
    """Every saved version of the vision, oldest first."""
    from tpm_tui.services import documents

    return documents.history(db, documents.DocKind.VISION, None)


def vision_change(db: Database, clock: Clock) -> str:
    """The last change to the vision as a unified diff ("" with one version or none)."""
    from tpm_tui.services import documents

    return documents.last_change(db, documents.DocKind.VISION, None, clock)


VISION_TEMPLATE = """# Vision

<!-- In a few sentences: who the product is for, what it lets them do that they cannot
do today, and why it matters now. The goals beneath it say how you will know. -->
"""


# ---------------------------------------------------------------- the roadmap by goal


@dataclass(frozen=True)
class RoadmapGroup:
    """The roadmap's epics (each with its features) serving one goal, or none."""

    goal: GoalView | None
    rows: list[RoadmapRow]

    @property
    def epics(self) -> int:
        """How many epics the group holds."""
        return sum(1 for r in self.rows if r.depth == 0 and r.item.kind is Kind.EPIC)

    @property
    def header(self) -> str:
        """`G1 Customers bill themselves · outcome 34 % · output 24 %`, or, for the rest,
        `3 epics serve no goal`."""
        goal = self.goal
        if goal is None:
            n = self.epics
            rest = f"{n} epic{'s' if n != 1 else ''} serve{'s' if n == 1 else ''} no goal"
            loose = len(self.rows) - sum(1 for r in self.rows if r.item.epic_id is not None)
            return rest if loose <= n else f"{rest} (and features under no epic)"
        outcome = "–" if goal.outcome_percent is None else f"{goal.outcome_percent} %"
        output = "–" if goal.output_percent is None else f"{goal.output_percent} %"
        return f"{goal.label} {goal.title} · outcome {outcome} · output {output}"


def group_rows(rows: list[RoadmapRow], goal_list: list[GoalView]) -> list[RoadmapGroup]:
    """The roadmap's rows grouped by the goal each epic serves, in the goals' order
    (goals with no epic on the roadmap included); epics serving no active goal, and
    features under no epic, come last."""
    blocks: list[list[RoadmapRow]] = []
    for row in rows:
        if row.depth == 0:
            blocks.append([row])
        elif blocks:
            blocks[-1].append(row)
    serving: dict[int | None, list[RoadmapRow]] = {}
    active = {g.id for g in goal_list}
    for block in blocks:
        head = block[0].item
        goal_id = head.goal_id if head.kind is Kind.EPIC and head.goal_id in active else None
        serving.setdefault(goal_id, []).extend(block)
    groups = [RoadmapGroup(g, serving.get(g.id, [])) for g in goal_list]
    if serving.get(None):
        groups.append(RoadmapGroup(None, serving[None]))
    return groups
