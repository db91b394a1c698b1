"""Progress figures the board, the roadmap, the goals and the status report share: the
done share of points, a roadmap status from dates, the roadmap's order, points rolled
up per epic, feature and goal, key results' and goals' progress. Plain functions over
tuples and compiled statements' rows, no dataclasses: the status report imports this
module, not the services whose views wrap these figures (each class a dataclass makes
costs a command over a millisecond to import)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tpm_tui.sql import compiled as q
from tpm_tui.timescale import Status

if TYPE_CHECKING:
    from tpm_tui.sql.executor import Executor

AT_RISK_GAP = 20
"""Points by which elapsed time may run ahead of work done before an item is at risk."""
OUTPUT_AHEAD = 40
"""Points by which output (epics' done share) may run ahead of outcome (key results
moved) before a goal is flagged: the work is done but the numbers did not move."""

Sums = tuple[int, int, int, int, bool]
"""Points, done points, items and done items of the stories, bugs and debt under an
epic or feature (or a goal's epics), and whether it sits in a done column itself."""
RoadmapFacts = tuple[Any, ...]
"""What the roadmap's order needs of an epic or feature, first in a tuple: id, kind,
parent id, start and target date."""


def done_percent(
    total_points: int, done_points: int, items: int, done_items: int, self_done: bool = False
) -> int:
    """Done share by points; by item count when nothing is estimated; 100 for an item
    with nothing under it that sits in a done column."""
    if total_points:
        return round(100 * done_points / total_points)
    if items:
        return round(100 * done_items / items)
    return 100 if self_done else 0


def roadmap_status(
    start: date | None, target: date | None, percent: int, done: bool, today: date
) -> Status:
    """Done; late (target passed, not done); at risk (the share of the date range gone
    is more than AT_RISK_GAP points ahead of the share of work done, `percent`); on
    track. `done`: in a done column, or everything under it done."""
    if done:
        return Status.DONE
    if start is None or target is None:
        return Status.UNSCHEDULED
    if today > target:
        return Status.LATE
    span = (target - start).days or 1
    elapsed = min(100.0, max(0.0, 100 * (today - start).days / span))
    return Status.AT_RISK if elapsed - percent > AT_RISK_GAP else Status.ON_TRACK


def item_progress(
    sums: Sums | None,
    in_done_column: bool,
    start: date | None,
    target: date | None,
    today: date,
) -> tuple[int, Status]:
    """An epic's or feature's done percent and roadmap status from its roll-up (None:
    nothing sits under it)."""
    if sums is None:
        percent = 100 if in_done_column else 0
        done = in_done_column
    else:
        percent = done_percent(*sums)
        done = in_done_column or (sums[2] > 0 and sums[3] == sums[2])
    return percent, roadmap_status(start, target, percent, done, today)


def _by_dates(facts: RoadmapFacts) -> tuple[date, date, int]:
    return (facts[3] or date.max, facts[4] or date.max, facts[0])


def roadmap_order(items: Sequence[RoadmapFacts]) -> list[tuple[int, int, bool]]:
    """The roadmap's rows from its epics and features (in board order): each epic by its
    dates, followed by its features by theirs; then features whose parent is not one of
    the epics, at depth 0, grouped by parent in board order. Each row is (index into
    `items`, depth, whether the epic's features fall outside its dates)."""
    epics = sorted((f for f in items if f[1] == "epic"), key=_by_dates)
    index = {f[0]: i for i, f in enumerate(items)}
    features: dict[int | None, list[RoadmapFacts]] = {}
    for f in items:
        if f[1] == "feature":
            features.setdefault(f[2], []).append(f)
    rows: list[tuple[int, int, bool]] = []
    for epic in epics:
        children = features.get(epic[0])
        if not children:
            rows.append((index[epic[0]], 0, False))
            continue
        children = sorted(children, key=_by_dates)
        start, target = epic[3], epic[4]
        outside = any(
            (c[3] and start and c[3] < start) or (c[4] and target and c[4] > target)
            for c in children
        )
        rows.append((index[epic[0]], 0, bool(outside)))
        rows.extend((index[c[0]], 1, False) for c in children)
    epic_ids = {e[0] for e in epics}
    for parent_id, children in features.items():
        if parent_id not in epic_ids:
            rows.extend((index[c[0]], 0, False) for c in children)
    return rows


# ---------------------------------------------------------------- roll-ups


def _add(into: dict[int, list[int]], key: int, row: Sequence[Any]) -> None:
    total, done, items, done_items = row
    found = into.get(key)
    if found is None:
        into[key] = [int(total), int(done), int(items), int(done_items)]
    else:
        found[0] += int(total)
        found[1] += int(done)
        found[2] += int(items)
        found[3] += int(done_items)


def _sums(found: list[int], self_done: bool = False) -> Sums:
    return (found[0], found[1], found[2], found[3], self_done)


def parent_sums(ex: Executor) -> list[tuple[Any, ...]]:
    """q.rollups_by_parent's rows: the stories, bugs and debt (not archived) summed per
    direct parent in one pass over the items, for `fold_rollups` and `fold_outputs`."""
    return ex.rows(q.rollups_by_parent)


def fold_rollups(rows: Iterable[Sequence[Any]]) -> dict[int, Sums]:
    """Every epic's and feature's roll-up from `parent_sums`: the stories, bugs and debt
    directly under it, and an epic's also under its features (not yet marked done
    for sitting in a done column: see `rollup_sums`)."""
    features: dict[int, list[int]] = {}
    epics: dict[int, list[int]] = {}
    for row in rows:
        parent_id, kind, grand_id = row[0], row[1], row[4]
        if kind == "feature":
            _add(features, parent_id, row[8:])
            if grand_id is not None:
                _add(epics, grand_id, row[8:])
        elif kind == "epic":
            _add(epics, parent_id, row[8:])
    result = {k: _sums(v) for k, v in features.items()}
    result.update((k, _sums(v)) for k, v in epics.items())
    return result


def rollup_sums(ex: Executor) -> dict[int, Sums]:
    """Every epic's and feature's roll-up (see `fold_rollups`); epics and features in a
    done column are marked so, even with nothing under them."""
    result = fold_rollups(parent_sums(ex))
    for (item_id,) in ex.rows(q.parents_in_done_columns):
        total, done, items, done_items, _ = result.get(item_id, (0, 0, 0, 0, False))
        result[item_id] = (total, done, items, done_items, True)
    return result


def fold_outputs(rows: Iterable[Sequence[Any]]) -> dict[int, Sums]:
    """Per goal, from `parent_sums`: the stories, bugs and debt under its epics that are
    not archived, directly or under their features (its output)."""
    goals: dict[int, list[int]] = {}
    for row in rows:
        kind, archived, goal_id = row[1], row[2], row[3]
        grand_kind, grand_archived, grand_goal_id = row[5], row[6], row[7]
        if kind == "epic" and not archived:
            owner = goal_id
        elif kind == "feature" and grand_kind == "epic" and not grand_archived:
            owner = grand_goal_id
        else:
            continue
        if owner is not None:
            _add(goals, owner, row[8:])
    return {k: _sums(v) for k, v in goals.items()}


def points_at(steps: Sequence[tuple[datetime, int, int]], moment: datetime) -> tuple[int, int]:
    """A sprint's scope and remaining points just before `moment`, from its scope and
    remaining deltas in time order (`sprint_scope_changes`, times in UTC)."""
    scope = rest = 0
    for at, d_scope, d_rest in steps:
        if at >= moment:
            break
        scope += d_scope
        rest += d_rest
    return scope, rest


def days_left(end: date, today: date) -> int:
    """Days from today to a sprint's last day, counting today (0 once it is over)."""
    return max(0, (end - today).days + 1)


# ---------------------------------------------------------------- goals


def key_result_progress(current: float, baseline: float, target: float) -> float:
    """How far from the baseline to the target `current` is, in percent (0 to 100: a
    value past the target counts as 100, one the wrong way as 0)."""
    moved = (current - baseline) / (target - baseline)
    return max(0.0, min(100.0, 100 * moved))


def outcome_percent(progresses: Iterable[float]) -> int | None:
    """A goal's outcome: the mean progress of its key results (None without any)."""
    values = list(progresses)
    return round(sum(values) / len(values)) if values else None


def output_percent(output: Sums | None) -> int | None:
    """A goal's output: the done share of its epics' points (by item count when
    nothing is estimated); None when no work sits under its epics."""
    if output is None or not output[2]:
        return None
    return done_percent(*output)


def output_ahead(outcome: int | None, output: int | None) -> bool:
    """Whether a goal's epics are done well ahead of its numbers moving."""
    return outcome is not None and output is not None and output - outcome >= OUTPUT_AHEAD


GoalRows = tuple[
    list[tuple[Any, ...]],
    dict[int, list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]],
    dict[int, Sums],
]


def read_goals(
    ex: Executor, archived: bool | None = False, sums: list[tuple[Any, ...]] | None = None
) -> GoalRows:
    """The goals (False: active ones; True: archived; None: both) as q.goals_all's
    rows; per goal, its key results that are not archived (q.key_results_all's rows,
    in order) each with its values (q.key_result_values_all's rows, oldest first); and
    per goal its output (from `sums`, `parent_sums`'s rows, when the caller has read
    them). Without a goal nothing else is read."""
    goals = [g for g in ex.rows(q.goals_all) if archived is None or (g[6] is not None) == archived]
    if not goals:
        return [], {}, {}
    values: dict[int, list[tuple[Any, ...]]] = {}
    for row in ex.rows(q.key_result_values_all):
        values.setdefault(int(row[1]), []).append(row)
    results: dict[int, list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]] = {}
    for row in ex.rows(q.key_results_all):
        if row[9] is None:  # archived_at
            results.setdefault(int(row[1]), []).append((row, values.get(int(row[0]), [])))
    return goals, results, fold_outputs(parent_sums(ex) if sums is None else sums)


def key_result_current(baseline: float, values: Sequence[tuple[Any, ...]]) -> float:
    """A key result's latest measured value (the baseline until one is measured), from
    its q.key_result_values_all rows, oldest first."""
    return float(values[-1][2]) if values else baseline
