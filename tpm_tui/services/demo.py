"""A realistic sample workspace: a quarter of a payments team's backlog and a month of time."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.kinds import Category, Kind
from tpm_tui.services import backlog, goals, planning, prd, sprints, team
from tpm_tui.sql import compiled as q

# epic -> features -> (kind, title, points, column)
PLAN: dict[str, dict[str, list[tuple[str, str, int, str]]]] = {
    "Self-serve invoicing": {
        "Invoice export": [
            ("story", "Export invoices as PDF", 5, "done"),
            ("story", "Export invoices as CSV for finance", 3, "done"),
            ("story", "Bulk export of a month's invoices", 8, "in_progress"),
            ("bug", "PDF totals wrap on long currency names", 2, "review"),
            ("debt", "Replace the hand-rolled PDF layout code", 5, "todo"),
        ],
        "Invoice editing": [
            ("story", "Edit line items before sending", 5, "in_progress"),
            ("story", "Add a note to an invoice", 2, "todo"),
            ("story", "Undo an invoice edit within 10 minutes", 3, "backlog"),
            ("bug", "Tax rate resets when a line is duplicated", 3, "todo"),
        ],
        "Reminders": [
            ("story", "Email a reminder 3 days before the due date", 3, "done"),
            ("story", "Let customers pause reminders", 2, "backlog"),
            ("story", "Reminder templates per workspace", 5, "backlog"),
        ],
    },
    "Payments reliability": {
        "Retry failed charges": [
            ("story", "Retry a declined card after 24 hours", 5, "review"),
            ("story", "Show the retry schedule on the invoice", 3, "todo"),
            ("debt", "Move retry jobs off the cron box", 8, "backlog"),
            ("bug", "Duplicate charge when the webhook arrives twice", 5, "in_progress"),
        ],
        "Payment provider failover": [
            ("story", "Route charges to the backup provider on timeout", 8, "todo"),
            ("story", "Alert on-call when failover triggers", 2, "backlog"),
            ("debt", "Upgrade the provider SDK to v5", 3, "todo"),
            ("debt", "Remove the legacy provider adapter", 2, "backlog"),
        ],
        "Reconciliation": [
            ("story", "Daily reconciliation report", 5, "done"),
            ("story", "Flag mismatched payouts", 3, "in_progress"),
            ("bug", "Report misses refunds issued at midnight UTC", 2, "done"),
            ("debt", "Index the payouts table by settlement date", 1, "done"),
        ],
    },
    "Usage-based billing": {
        "Metering pipeline": [
            ("story", "Ingest usage events from the API gateway", 8, "todo"),
            ("story", "Deduplicate usage events", 5, "backlog"),
            ("story", "Backfill a day of usage", 3, "backlog"),
            ("debt", "Schema registry for usage events", 5, "backlog"),
            ("bug", "Event timestamps lose milliseconds", 1, "todo"),
        ],
        "Pricing plans": [
            ("story", "Define tiered prices per metric", 5, "backlog"),
            ("story", "Preview next invoice from current usage", 8, "backlog"),
            ("story", "Grandfather existing customers on old plans", 3, "backlog"),
            ("story", "Plan change takes effect next cycle", 3, "backlog"),
        ],
    },
}
LOOSE: list[tuple[str, str, int, str]] = [
    ("bug", "Login page shows the wrong year in the footer", 1, "todo"),
    ("debt", "Upgrade the CI runners to the current OS image", 2, "backlog"),
    ("story", "Dark mode for the customer portal", 3, "backlog"),
    ("debt", "Delete feature flags older than a year", 2, "backlog"),
    ("bug", "Search ignores accented names", 2, "review"),
    ("story", "Audit log export for enterprise customers", 5, "backlog"),
    ("bug", "CSV export drops the header row in Excel", 1, "in_progress"),
]
OWNERS = ("ana", "ben", "chen", "dara", "eli")
NOTES = {
    Category.MEETINGS: (
        "standup",
        "sprint planning",
        "1:1 with eng lead",
        "stakeholder sync",
        "backlog refinement",
        "retro",
        "customer call",
        "architecture review",
    ),
    Category.TOOLING: (
        "backlog grooming",
        "ticket triage",
        "roadmap update",
        "Jira clean-up",
        "release notes",
        "dashboard upkeep",
    ),
    Category.DELIVERABLES: (
        "PRD: usage-based billing",
        "spec: provider failover",
        "pricing analysis",
        "competitive review",
        "launch plan",
    ),
}


def build_demo(db: Database, clock: Clock, seed: int = 48) -> dict[str, int]:
    """Fill an empty workspace with goals, sprints, a backlog and four weeks of time."""
    rng = random.Random(seed)
    timing = random.Random(seed + 1)  # when things happened (apart: rng keeps its draws)
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    _demo_goals(db, clock)
    previous = planning.create_sprint(
        db,
        "Sprint 23",
        monday - timedelta(days=14),
        monday - timedelta(days=1),
        "Invoice export shipped",
    )
    current = planning.create_sprint(
        db, "Sprint 24", monday, monday + timedelta(days=13), "Retries and bulk export in review"
    )
    planning.create_milestone(db, "Beta: self-serve invoicing", monday + timedelta(days=20))
    planning.create_milestone(db, "GA: usage-based billing", monday + timedelta(days=90))
    counts = {"epics": 0, "features": 0, "items": 0}
    worked_on: list[int] = []
    for e_index, (epic_title, features) in enumerate(PLAN.items()):
        epic_start = monday - timedelta(weeks=6 - 4 * e_index)
        epic = backlog.create_item(
            db,
            clock,
            Kind.EPIC,
            epic_title,
            status="in_progress" if e_index < 2 else "backlog",
            start_date=epic_start,
            target_date=epic_start + timedelta(weeks=10),
            description=f"# {epic_title}\n\nWhy: customers asked for it in the last survey.\n",
            goal_id=1 if e_index == 0 else 2,
        )
        counts["epics"] += 1
        for f_index, (feature_title, stories) in enumerate(features.items()):
            f_start = epic_start + timedelta(weeks=3 * f_index)
            feature = backlog.create_item(
                db,
                clock,
                Kind.FEATURE,
                feature_title,
                parent_id=epic.id,
                status="in_progress" if e_index < 2 else "backlog",
                start_date=f_start,
                target_date=f_start + timedelta(weeks=4),
            )
            counts["features"] += 1
            for kind, title, points, column in stories:
                sprint = None
                if column in ("todo", "in_progress", "review"):
                    sprint = current.id
                elif column == "done":
                    sprint = previous.id if rng.random() < 0.6 else current.id
                start = previous.start_date if sprint == previous.id else monday
                # Most of a sprint is planned on its first day; a little comes in later.
                late = sprint == current.id and column == "todo" and timing.random() < 0.3
                planned_on = min(today, start + timedelta(days=2)) if late else start
                made = _then(clock, planned_on, 9) if sprint is not None else clock
                item = backlog.create_item(
                    db,
                    made,
                    kind,
                    title,
                    points=points,
                    parent_id=feature.id,
                    status="review" if column == "done" and sprint is not None else column,
                    sprint_id=sprint,
                    owner=rng.choice(OWNERS),
                    acceptance="- [ ] works on the staging data set\n- [ ] docs updated",
                )
                if column == "done" and sprint is not None:
                    # Done on a weekday of its sprint (so far), in the place it would
                    # have had being filed in Done.
                    last = min(today, start + timedelta(days=11))
                    days = [
                        start + timedelta(days=d)
                        for d in range((last - start).days + 1)
                        if (start + timedelta(days=d)).weekday() < 5
                    ]
                    finished = _then(clock, timing.choice(days), timing.randint(10, 17))
                    rank = 1 + max(
                        (i.rank for i in backlog.list_items(db, status="done")), default=0
                    )
                    backlog.place_item(db, finished, item.id, "done", rank, finished.now())
                counts["items"] += 1
                if column != "backlog":
                    worked_on.append(item.id)
    for kind, title, points, column in LOOSE:
        backlog.create_item(
            db, clock, kind, title, points=points, status=column, owner=rng.choice(OWNERS)
        )
        counts["items"] += 1
    prd.save_prd(db, clock, 1, DEMO_PRD)
    counts["entries"] = _demo_time(db, clock, rng, worked_on)
    counts["sprints"] = 2
    for index, owner in enumerate(OWNERS):
        team.add_member(db, owner, (70, 80, 60, 70, 50)[index])
    team.add_away(db, "chen", monday + timedelta(days=8), monday + timedelta(days=9))
    sprints.close_sprint(db, _then(clock, previous.end_date, 17), previous.id, current.id)
    return counts


VISION = """# Vision

Small businesses get paid on time without thinking about billing: invoices go out,
get corrected and get paid by themselves, and nobody opens a support ticket to do it.
"""

DEMO_PRD = """# PRD: Self-serve invoicing

## Problem

A third of our support tickets are customers asking us to fix, resend or export an
invoice. Each costs a day of waiting and an agent's half hour.

## Goals and non-goals

- Customers export, edit and resend invoices themselves.
- Not now: custom invoice templates.

## Users and stories

Owners of small businesses and their bookkeepers (the stories are in the appendix).

## Requirements

1. Export a month of invoices as PDF or CSV.
2. Edit line items until the invoice is paid.

## Acceptance criteria

<!-- How we will know it is done. -->

## Metrics

Moves KR1 (invoices sent without a ticket) and KR2 (invoice tickets a week).

## Risks and dependencies

<!-- What could stop it, and what it waits for. -->

## Open questions

<!-- What is not decided yet, and who decides. -->

## Timeline

<!-- Start, target date, milestones. -->
"""


def _demo_goals(db: Database, clock: Clock) -> None:
    """The vision, two goals and their key results, measured weekly for a month."""
    goals.save_vision(db, clock, VISION)
    billing = goals.create_goal(
        db,
        clock,
        "Customers bill themselves",
        "Invoices, edits and reminders without support tickets.",
        due_date=clock.today() + timedelta(days=120),
    )
    payments = goals.create_goal(
        db, clock, "Every payment lands", "Failed charges recover on their own."
    )
    results = [
        (billing.id, "Invoices sent without a ticket", 62, 90, "%", (64, 67, 71)),
        (billing.id, "Invoice tickets a week", 40, 15, "", (37, 36, 31)),
        (payments.id, "Failed charges recovered", 20, 60, "%", (22, 21, 24)),
    ]
    today = clock.today()
    for goal_id, title, baseline, target, unit, values in results:
        kr = goals.add_key_result(db, clock, goal_id, title, baseline, target, unit)
        for weeks_ago, value in zip((3, 2, 1), values, strict=True):
            goals.record_value(db, clock, kr.id, value, today - timedelta(weeks=weeks_ago))


def _then(clock: Clock, day: date, hour: int) -> Clock:
    """A clock frozen at `hour` on `day` (never later than `clock`'s now)."""
    return Clock(min(clock.at(day, time(hour, 0)), clock.now()), clock.now().tzinfo)


def _demo_time(db: Database, clock: Clock, rng: random.Random, items: list[int]) -> int:
    """Weekdays of the last four weeks (up to now): a typical split with some drift."""
    now = clock.now()
    today = now.date()
    first = today - timedelta(days=today.weekday() + 21)
    entries: list[dict[str, Any]] = []
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        moment = clock.at(day, time(9, 0))
        # Each week tilts a little differently, as real weeks do.
        week = offset // 7
        weights = {
            Category.MEETINGS: 45 + (8 if week == 2 else 0),
            Category.TOOLING: 37 - (6 if week == 1 else 0),
            Category.DELIVERABLES: 18 + (7 if week == 1 else 0),
        }
        for _ in range(rng.randint(8, 11)):
            category = rng.choices(list(weights), weights=list(weights.values()))[0]
            minutes = rng.choice((15, 30, 30, 45, 60, 60, 90))
            end = moment + timedelta(minutes=minutes)
            if end > now:
                break
            linked = category is not Category.MEETINGS and rng.random() < 0.6
            item_id = rng.choice(items) if linked else None
            entries.append(
                {
                    "category": category.value,
                    "started_at": moment,
                    "ended_at": end,
                    "note": rng.choice(NOTES[category]),
                    "item_id": item_id,
                    "created_at": end,
                    "external_id": None,
                }
            )
            moment = end + timedelta(minutes=rng.choice((0, 0, 15, 30)))
    with db.write() as ex:
        ex.many(q.entries_insert, entries)
    return len(entries)
