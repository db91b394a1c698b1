"""Progress figures summed once per direct parent and folded in Python (services/
progress.py) equal their definitions, item by item, on random trees — odd ones too
(features under features, stories under stories, archived parents, missing dates) —
and the roadmap keeps its order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import location_for
from tpm_tui.db import Database, open_database
from tpm_tui.services import backlog, progress
from tpm_tui.services.backlog import Rollup

KINDS = ("epic", "feature", "story", "bug", "debt")
LEAVES = ("story", "bug", "debt")
COLUMNS = ("backlog", "todo", "in_progress", "review", "done")
GOALS = (1, 2, 3)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    """One migrated SQLite workspace with three goals, emptied of items per example."""
    path = tmp_path_factory.mktemp("progress") / "tpm.db"
    db = open_database(location_for(path))
    conn = sqlite3.connect(path)
    for goal_id in GOALS:
        conn.execute(
            "INSERT INTO goal (id, title, description, position, created_at)"
            " VALUES (?, ?, '', ?, '2026-11-01 09:00:00.000000')",
            (goal_id, f"Goal {goal_id}", goal_id),
        )
    conn.commit()
    conn.close()
    yield db, path
    db.close()


Item = tuple[int, str, "int | None", str, "int | None", bool, "int | None"]
"""id, kind, parent id, column, points, archived, goal id."""


@st.composite
def trees(draw: st.DrawFn) -> list[Item]:
    """Items in any shape: each may hang under any earlier item."""
    items: list[Item] = []
    for item_id in range(1, draw(st.integers(0, 25)) + 1):
        parent = draw(st.one_of(st.none(), st.integers(1, item_id - 1))) if item_id > 1 else None
        items.append(
            (
                item_id,
                draw(st.sampled_from(KINDS)),
                parent,
                draw(st.sampled_from(COLUMNS)),
                draw(st.one_of(st.none(), st.integers(0, 13))),
                draw(st.booleans()),
                draw(st.one_of(st.none(), st.sampled_from(GOALS))),
            )
        )
    return items


def _store(path: Path, items: list[Item]) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM work_item")
    conn.executemany(
        "INSERT INTO work_item (id, kind, parent_id, goal_id, title, description, acceptance,"
        " status, rank, points, owner, created_at, updated_at, archived_at)"
        " VALUES (?, ?, ?, ?, 'x', '', '', ?, 0, ?, '', '2026-11-01 09:00:00.000000',"
        " '2026-11-01 09:00:00.000000', ?)",
        [
            (i, kind, parent, goal, column, points, "2026-11-02 09:00:00.000000" if gone else None)
            for i, kind, parent, column, points, gone, goal in items
        ],
    )
    conn.commit()
    conn.close()


def _expected(items: list[Item]) -> tuple[dict[int, Rollup], dict[int, Rollup]]:
    """The roll-ups as the definitions say (each owner summed over its leaves; an item
    that is a feature owner and an epic owner at once counts as the epic's)."""
    by_id = {i[0]: i for i in items}
    features: dict[int, list[int]] = {}
    epics: dict[int, list[int]] = {}
    goals: dict[int, list[int]] = {}

    def add(into: dict[int, list[int]], key: int, points: int, done: bool) -> None:
        sums = into.setdefault(key, [0, 0, 0, 0])
        sums[0] += points
        sums[1] += points if done else 0
        sums[2] += 1
        sums[3] += 1 if done else 0

    for _id, kind, parent_id, column, points, archived, _goal in items:
        if kind not in LEAVES or archived or parent_id is None:
            continue
        pts, done = points or 0, column == "done"
        parent = by_id[parent_id]
        grand = by_id[parent[2]] if parent[2] is not None else None
        if parent[1] == "feature":
            add(features, parent[0], pts, done)
            if grand is not None:
                add(epics, grand[0], pts, done)
        if parent[1] == "epic":
            add(epics, parent[0], pts, done)
        if parent[1] == "epic" and not parent[5] and parent[6] is not None:
            add(goals, parent[6], pts, done)
        if (
            parent[1] == "feature"
            and grand is not None
            and grand[1] == "epic"
            and not grand[5]
            and grand[6] is not None
        ):
            add(goals, grand[6], pts, done)
    rollups = {k: Rollup(v[0], v[1], v[2], v[3]) for k, v in {**features, **epics}.items()}
    for item_id, kind, _p, column, _pts, _a, _g in items:
        if kind in ("epic", "feature") and column == "done":
            found = rollups.get(item_id, Rollup(0, 0, 0, 0))
            rollups[item_id] = Rollup(*found.sums[:4], True)
    return rollups, {k: Rollup(v[0], v[1], v[2], v[3]) for k, v in goals.items()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=trees())
def test_rollups_and_goal_outputs_equal_their_definitions(
    workspace: tuple[Database, Path], items: list[Item]
) -> None:
    db, path = workspace
    _store(path, items)
    rollups, outputs = _expected(items)
    assert backlog.rollups(db) == rollups
    with db.read() as ex:
        assert {
            k: Rollup(*v) for k, v in progress.fold_outputs(progress.parent_sums(ex)).items()
        } == outputs
    some = [i[0] for i in items[::2]]
    assert backlog.rollups(db, some) == {k: v for k, v in rollups.items() if k in some}


def _old_order(items: list[Any]) -> list[tuple[int, int, bool]]:
    """load_roadmap's order as it was written before it moved to progress.py."""
    key = lambda i: (i[3] or date.max, i[4] or date.max, i[0])  # noqa: E731
    epics = sorted((i for i in items if i[1] == "epic"), key=key)
    features: dict[int | None, list[Any]] = {}
    for item in items:
        if item[1] == "feature":
            features.setdefault(item[2], []).append(item)
    rows = []
    for epic in epics:
        children = sorted(features.get(epic[0], []), key=key)
        outside = any(
            (c[3] and epic[3] and c[3] < epic[3]) or (c[4] and epic[4] and c[4] > epic[4])
            for c in children
        )
        rows.append((epic[0], 0, outside))
        rows.extend((c[0], 1, False) for c in children)
    epic_ids = {e[0] for e in epics}
    for parent_id, children in features.items():
        if parent_id not in epic_ids:
            rows.extend((c[0], 0, False) for c in children)
    return rows


days = st.one_of(st.none(), st.integers(0, 60).map(lambda d: date(2026, 11, 1) + timedelta(d)))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(("epic", "feature")),
            st.one_of(st.none(), st.integers(1, 12)),
            days,
            days,
        ),
        max_size=12,
    )
)
def test_the_roadmap_order_is_load_roadmaps(drawn: list[Any]) -> None:
    items = [
        (i + 1, kind, parent, start, target)
        for i, (kind, parent, start, target) in enumerate(drawn)
    ]
    rows = progress.roadmap_order(items)
    assert [(items[i][0], depth, outside) for i, depth, outside in rows] == _old_order(items)
