"""`tpm goal list` as a table, JSON or Markdown."""

from __future__ import annotations

import json
from typing import Any

from tpm_tui.services.goals import Goals, GoalView, KeyResultView
from tpm_tui.text import markdown_text

FORMATS = ("table", "json", "md")


def _percent(value: int | None) -> str:
    return "–" if value is None else f"{value} %"


def key_result_dict(kr: KeyResultView) -> dict[str, Any]:
    """A key result's JSON shape."""
    return {
        "id": kr.id,
        "title": kr.title,
        "unit": kr.unit,
        "baseline": kr.baseline,
        "target": kr.target,
        "current": kr.current,
        "progress_percent": round(kr.progress),
        "due": kr.due_date.isoformat() if kr.due_date else None,
        "values": [{"date": v.recorded_on.isoformat(), "value": v.value} for v in kr.values],
    }


def goal_dict(goal: GoalView) -> dict[str, Any]:
    """A goal's JSON shape (keys stable; see the README)."""
    return {
        "id": goal.id,
        "title": goal.title,
        "description": goal.description,
        "due": goal.due_date.isoformat() if goal.due_date else None,
        "archived": goal.archived,
        "outcome_percent": goal.outcome_percent,
        "output_percent": goal.output_percent,
        "output_ahead": goal.output_ahead,
        "key_results": [key_result_dict(kr) for kr in goal.key_results],
        "epics": [
            {
                "id": e.item.id,
                "title": e.item.title,
                "done_percent": e.done_percent,
                "status": e.status.value,
            }
            for e in goal.epics
        ],
    }


def _kr_words(kr: KeyResultView) -> str:
    now = f"now {kr.shown(kr.current)}" if kr.values else "not measured yet"
    return (
        f"{kr.shown(kr.baseline)} → {kr.shown(kr.target)}, {now} ({kr.progress:.0f} % of the way)"
    )


def render_table(goals: Goals) -> str:
    """A plain-text list for the terminal."""
    if not goals.goals:
        return 'no goals yet: `tpm goal add "…"` adds one\n'
    lines: list[str] = []
    for g in goals.goals:
        due = f"  due {g.due_date}" if g.due_date else ""
        flag = "  (archived)" if g.archived else ""
        lines.append(
            f"{g.label:<5}{g.title}{due}{flag}  — outcome {_percent(g.outcome_percent)}, "
            f"output {_percent(g.output_percent)}"
            + ("  ⚠ epics done ahead of the numbers" if g.output_ahead else "")
        )
        for kr in g.key_results:
            lines.append(f"     KR{kr.id} {kr.title}: {_kr_words(kr)}  {kr.sparkline()}")
        if not g.key_results:
            lines.append(
                f'     no key results yet: `tpm goal kr {g.label} "…" --baseline --target`'
            )
        for e in g.epics:
            lines.append(
                f"     epic #{e.item.id} {e.item.title}: {e.done_percent} % done, {e.status.value}"
            )
    if goals.unlinked:
        n = len(goals.unlinked)
        lines.append(
            f"{n} epic{'s' if n != 1 else ''} serve{'s' if n == 1 else ''} no goal"
            " (`tpm edit EPIC --goal G1` links one)"
        )
    return "\n".join(lines) + "\n"


def render_markdown(goals: Goals) -> str:
    """Goals as a Markdown section for an update."""
    lines = ["## Goals", ""]
    if not goals.goals:
        return "\n".join([*lines, "No goals yet."]) + "\n"
    for g in goals.goals:
        due = f" (due {g.due_date})" if g.due_date else ""
        lines.append(
            f"### {g.label} {markdown_text(g.title)}{due}: outcome "
            f"{_percent(g.outcome_percent)}, output {_percent(g.output_percent)}"
        )
        lines.append("")
        for kr in g.key_results:
            lines.append(f"- KR{kr.id} {markdown_text(kr.title)}: {markdown_text(_kr_words(kr))}")
        for e in g.epics:
            lines.append(
                f"- Epic #{e.item.id} {markdown_text(e.item.title)}: {e.done_percent} % done, "
                f"{e.status.value}"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_goals(goals: Goals, fmt: str) -> str:
    """The goals in one of FORMATS."""
    if fmt == "json":
        return json.dumps([goal_dict(g) for g in goals.goals], indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return render_markdown(goals)
    return render_table(goals)
