"""Imports at scale: a 20,000-row Jira CSV imported into a fresh workspace (target under
5 s), the same file imported again with nothing changed (under 3 s), and, when the
calendar import is there, a year of a busy calendar (3,000 occurrences) previewed
(under 1 s). Each is run through the service, as `tpm import --from jira` does.

Run: .venv/bin/python benchmarks/import_speed.py
Prints figures; never fails on a time.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

ROWS = 20_000
EPICS = 40
SPRINTS = 12


def jira_csv(rows: int, seed: int = 7) -> bytes:
    """A Jira export shaped like a big team's: epics, stories and bugs under them,
    sub-tasks, repeated Sprint columns, multi-line descriptions, CRLF, a BOM."""
    rng = random.Random(seed)
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category"]
    header += ["Assignee", "Created", "Resolved", "Sprint", "Sprint", "Labels", "Labels"]
    header += ["Description", "Custom field (Story Points)", "Parent id"]
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(header)
    statuses = [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done")]
    stories: list[int] = []
    for n in range(1, rows + 1):
        issue_id = 10_000 + n
        if n <= EPICS:
            kind, parent = "Epic", ""
        elif stories and rng.random() < 0.1:
            kind, parent = "Sub-task", str(rng.choice(stories))
        else:
            kind, parent = rng.choice(["Story", "Story", "Story", "Bug", "Task"]), ""
            parent = str(10_000 + rng.randint(1, EPICS))
            stories.append(issue_id)
        status, category = rng.choice(statuses)
        sprint = f"PAY Sprint {rng.randint(1, SPRINTS)}"
        out.writerow(
            [
                f"Issue number {n} with a title",
                f"PAY-{n}",
                issue_id,
                kind,
                status,
                category,
                rng.choice(["Ana Lima", "Bo Chen", ""]),
                f"{rng.randint(1, 28):02d}/Oct/26 {rng.randint(1, 12)}:15 PM",
                "03/Nov/26 9:00 AM" if status == "Done" else "",
                sprint,
                sprint if rng.random() < 0.3 else "",
                rng.choice(["", "tech-debt", "customer"]),
                "",
                "h2. Context\r\nLine one\r\n* a bullet",
                rng.choice(["", "1", "2", "3", "5", "8"]) if kind != "Epic" else "",
                parent,
            ]
        )
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def main() -> None:
    """Build the file, import it twice, print the figures."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.importers.backlog_import import import_backlog, read_export

    data = jira_csv(ROWS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        db = open_database(Location(f"sqlite:///{path}", path, "bench"))
        clock = Clock()
        print(f"jira csv, {ROWS} rows ({len(data) / 1e6:.1f} MB); wall (CPU) seconds")
        for label, dry_run in (
            ("first import (target < 5 s)", False),
            ("re-import, nothing changed (target < 3 s)", False),
            ("dry run", True),
        ):
            wall, cpu = time.perf_counter(), time.process_time()
            parsed = read_export("jira", data, "b.csv", clock)
            result = import_backlog(db, clock, parsed, dry_run=dry_run)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  {label}: {wall:.2f} s ({cpu:.2f} s CPU): {result.summary()[:90]}")
        db.close()
    calendar_preview()


def busy_calendar(seed: int = 7) -> bytes:
    """A year of a busy calendar: daily standups, weekly 1:1s and syncs in two time
    zones, fortnightly reviews, with exceptions, EXDATEs and one-off meetings; about
    3,000 occurrences."""
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tpm bench//EN"]

    def event(uid: str, title: str, start: str, minutes: int, extra: list[str], tz: str) -> None:
        lines.extend(
            [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                "DTSTAMP:20260101T000000Z",
                f"SUMMARY:{title}",
                f"DTSTART;TZID={tz}:{start}",
                f"DURATION:PT{minutes}M",
                *extra,
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com",
                "END:VEVENT",
            ]
        )

    weekdays = ["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"]
    event("standup", "Standup", "20260105T093000", 15, weekdays, "Europe/Berlin")
    event("inbox", "Inbox zero", "20260105T083000", 15, weekdays, "Europe/Berlin")
    for n in range(30):
        zone = "America/New_York" if n % 3 == 0 else "Europe/Berlin"
        first = f"2026010{5 + n % 5}T{10 + n % 7}{15 * (n % 4):02d}00"
        event(f"weekly-{n}", f"Weekly {n}", first, 30, ["RRULE:FREQ=WEEKLY"], zone)
    fortnightly = ["RRULE:FREQ=WEEKLY;INTERVAL=2", "EXDATE;TZID=Europe/Berlin:20260206T160000"]
    for n in range(10):
        event(f"review-{n}", f"Review {n}", "20260109T160000", 60, fortnightly, "Europe/Berlin")
    for n in range(720):
        moment = datetime(2026, 1, 1) + timedelta(
            days=rng.randint(1, 361), hours=rng.randint(8, 17)
        )
        length = rng.choice((30, 45, 60))
        event(
            f"one-off-{n}", f"Meeting {n}", f"{moment:%Y%m%dT%H0000}", length, [], "Europe/Berlin"
        )
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def calendar_preview() -> None:
    """Expand and plan a year of the busy calendar (what `tpm meetings --from --to` and
    `M` do before they show anything)."""
    from tpm_tui.clock import Clock
    from tpm_tui.config import Location
    from tpm_tui.db import open_database
    from tpm_tui.importers.calendar import log_meetings, plan_meetings, read_calendar

    data = busy_calendar()
    wall = time.perf_counter()
    import icalendar  # noqa: F401
    import recurring_ical_events  # type: ignore[import-untyped]  # noqa: F401

    print(
        f"calendar: loading icalendar and recurring-ical-events: {time.perf_counter() - wall:.2f} s"
    )
    clock = Clock(datetime(2027, 1, 1, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        db = open_database(Location(f"sqlite:///{path}", path, "bench"))
        start, end = clock.day_bounds(date(2026, 1, 1), 365)
        me = frozenset({"me@example.com"})
        for label in ("preview", "preview again, the year logged"):
            wall, cpu = time.perf_counter(), time.process_time()
            found = read_calendar(data, "busy.ics", start, end, me=me)
            plans = plan_meetings(db, clock, found)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"calendar, a busy year ({len(found)} occurrences, {len(data) / 1e6:.1f} MB): "
                f"{label} {wall:.2f} s ({cpu:.2f} s CPU; target < 1 s); "
                f"{sum(p.action == 'add' for p in plans)} to log"
            )
            if label == "preview":
                wall = time.perf_counter()
                log_meetings(db, clock, found)
                print(f"  logging them: {time.perf_counter() - wall:.2f} s")
        db.close()


if __name__ == "__main__":
    main()
