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
        for label, options in (
            ("first import (target < 5 s)", {}),
            ("re-import, nothing changed (target < 3 s)", {}),
            ("dry run", {"dry_run": True}),
        ):
            wall, cpu = time.perf_counter(), time.process_time()
            result = import_backlog(db, clock, read_export("jira", data, "b.csv", clock), **options)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  {label}: {wall:.2f} s ({cpu:.2f} s CPU): {result.summary()[:90]}")
        db.close()
    try:
        from benchmarks_calendar import calendar_preview  # type: ignore[import-not-found]
    except ImportError:
        return
    calendar_preview()


if __name__ == "__main__":
    main()
