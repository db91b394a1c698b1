"""`tpm meetings FILE.ics`: the meetings of a calendar file logged as time. Recurring
events are expanded (exceptions, EXDATE, moved occurrences, time zones) by
`recurring-ical-events`; declined, cancelled, free and all-day events are skipped, as are
those a meeting rule skips. Each entry keeps its event's UID (and recurrence id), so a
second run finds it: nothing is logged twice, and a moved meeting moves its entry."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.kinds import Category, parse_category
from tpm_tui.services import validate
from tpm_tui.sql import compiled as q

SKIP = "skip"
REMOVE = "remove"
UNDONE = ("cancelled", "declined")  # skips that take back an entry logged before
MAX_LENGTH = timedelta(hours=24)  # an entry is at most a day
TOO_OFTEN = ("SECONDLY", "MINUTELY", "HOURLY")  # recurrences no meeting has: dropped


@dataclass(frozen=True)
class Rule:
    """`Focus*=deliverables`: titles matching `pattern` (a glob, or else a part of the
    title; any case) go to `action`, a category or `skip`."""

    pattern: str
    action: str

    def matches(self, title: str) -> bool:
        """Whether this rule is about a meeting of this title."""
        pattern, text = self.pattern.lower(), title.lower()
        if any(ch in pattern for ch in "*?["):
            return fnmatch.fnmatchcase(text, pattern)
        return pattern in text


def parse_rules(text: str) -> list[Rule]:
    """`Focus time=deliverables; Lunch=skip` (or one rule a line) as rules, in order."""
    rules = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        pattern, sep, action = part.rpartition("=")
        if not sep or not pattern.strip():
            raise InvalidInput(
                f"meeting rule {part.strip()!r}: use TITLE=CATEGORY or TITLE=skip, "
                "e.g. 'Focus time=deliverables; Lunch=skip'",
                "meeting-rules",
            )
        word = action.strip().lower()
        kind = SKIP if word == SKIP else parse_category(word).value
        rules.append(Rule(" ".join(pattern.split()), kind))
    return rules


def show_rules(rules: Iterable[Rule]) -> str:
    """Rules as `tpm config meeting-rules` shows and stores them."""
    return "; ".join(f"{r.pattern}={r.action}" for r in rules)


def parse_emails(text: str) -> frozenset[str]:
    """`me@example.com, me@old.example` as lower-case addresses."""
    found = set()
    for part in text.replace(";", ",").split(","):
        address = part.strip().lower().removeprefix("mailto:")
        if not address:
            continue
        if "@" not in address or " " in address or len(address) > 200:
            raise InvalidInput(f"{part.strip()!r} is not an e-mail address", "email")
        found.add(address)
    return frozenset(found)


@dataclass(frozen=True)
class Meeting:
    """One occurrence of a calendar event in the asked range."""

    external_id: str  # UID, plus `|` and the recurrence id for a recurring event
    title: str
    start: datetime  # UTC
    end: datetime
    category: str  # where it is logged (a rule may change it)
    skip: str = ""  # why it is not logged ("declined", "all day"...), or ""

    @property
    def minutes(self) -> int:
        """Its length in minutes."""
        return int((self.end - self.start).total_seconds() // 60)


def _utc(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(value)
    if value.tzinfo is None:  # a floating time: the reader's own zone
        value = value.astimezone()
    return value.astimezone(UTC)


def _attendees(event: Any) -> list[Any]:
    found = event.get("ATTENDEE")
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def read_calendar(
    data: bytes,
    name: str,
    start: datetime,
    end: datetime,
    *,
    me: frozenset[str] = frozenset(),
    rules: Sequence[Rule] = (),
    category: str = Category.MEETINGS.value,
) -> list[Meeting]:
    """The occurrences starting in [start, end), earliest first, skipped ones with why."""
    import icalendar
    import recurring_ical_events  # type: ignore[import-untyped]

    try:
        calendar = icalendar.Calendar.from_ical(data)
        # No meeting recurs more often than daily; expanding FREQ=SECONDLY over a week
        # would make 600,000 occurrences (a file that hangs the preview).
        calendar.subcomponents = [c for c in calendar.subcomponents if not _too_often(c)]
        recurring = {
            str(c.get("UID", ""))
            for c in calendar.walk("VEVENT")
            if c.get("RRULE") or c.get("RDATE")
        }
        recurring |= {
            str(c.get("UID", "")) for c in calendar.walk("VEVENT") if c.get("RECURRENCE-ID")
        }
        events = list(recurring_ical_events.of(calendar).between(start, end))
    except Exception as error:  # the libraries raise many kinds on a broken file
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        raise InvalidInput(f"{name}: not a calendar file tpm can read ({reason})") from None
    meetings = []
    for event in events:
        try:
            meeting = _meeting(event, recurring, me, rules, category)
        except (TypeError, ValueError, OverflowError, AttributeError, KeyError):
            continue  # an event without a readable start: nothing to log
        if start <= meeting.start < end:
            meetings.append(meeting)
    meetings.sort(key=lambda m: (m.start, m.end, m.external_id))
    # One entry per event id: a file that repeats an event keeps its first.
    seen: set[str] = set()
    unique = []
    for meeting in meetings:
        if meeting.external_id not in seen:
            seen.add(meeting.external_id)
            unique.append(meeting)
    return unique


def _too_often(component: Any) -> bool:
    """Whether an event recurs more often than daily (one RRULE or several)."""
    if component.name != "VEVENT":
        return False
    rules = component.get("RRULE") or []
    for rule in rules if isinstance(rules, list) else [rules]:
        if any(str(freq).upper() in TOO_OFTEN for freq in rule.get("FREQ", [])):
            return True
    return False


def _meeting(
    event: Any, recurring: set[str], me: frozenset[str], rules: Sequence[Rule], category: str
) -> Meeting:
    uid = " ".join(str(event.get("UID", "")).split())
    title = " ".join(str(event.get("SUMMARY", "")).split()) or "(no title)"
    raw_start = event["DTSTART"].dt
    raw_end = event["DTEND"].dt if event.get("DTEND") is not None else None
    if raw_end is None and event.get("DURATION") is not None:
        raw_end = raw_start + event["DURATION"].dt
    all_day = not isinstance(raw_start, datetime)
    if all_day:
        start = datetime.combine(raw_start, datetime.min.time(), UTC)
        end = start + timedelta(days=1)
    else:
        start = _utc(raw_start)
        end = _utc(raw_end) if isinstance(raw_end, datetime) else start
    recurrence = event.get("RECURRENCE-ID")
    if uid in recurring and recurrence is not None:
        moment = recurrence.dt
        when = (
            _utc(moment).strftime("%Y%m%dT%H%M%SZ") if isinstance(moment, datetime) else str(moment)
        )
        external_id = f"{uid}|{when}"
    else:
        external_id = uid or f"{title}|{start:%Y%m%dT%H%M%SZ}"
    external_id = external_id[:500]
    kind, skip = category, ""
    for rule in rules:
        if rule.matches(title):
            if rule.action == SKIP:
                skip = f"rule {rule.pattern}"
            else:
                kind = rule.action
            break
    status = str(event.get("STATUS", "")).upper()
    if all_day:
        skip = "all day"
    elif status == "CANCELLED":
        skip = "cancelled"
    elif str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        skip = "free"
    elif any(
        str(a).lower().removeprefix("mailto:") in me
        and str(a.params.get("PARTSTAT", "")).upper() == "DECLINED"
        for a in _attendees(event)
    ):
        skip = "declined"
    elif end <= start:
        skip = "no length"
    elif end - start > MAX_LENGTH:
        skip = "longer than a day"
    return Meeting(external_id, title[: validate.NOTE_MAX], start, end, kind, skip)


# ---------------------------------------------------------------- logging


@dataclass(frozen=True)
class Planned:
    """A meeting and what logging it does: `add`, `move` (its entry's time, category or
    title changed in the calendar), `same` (logged already), `remove` (logged before,
    cancelled or declined since), or `skip`."""

    meeting: Meeting
    action: str
    entry_id: int | None = None
    overlaps: tuple[int, ...] = ()  # ids of other entries it shares time with

    @property
    def key(self) -> str:
        """The event id (what the preview ticks by)."""
        return self.meeting.external_id


def plan_meetings(db: Database, clock: Clock, meetings: Sequence[Meeting]) -> list[Planned]:
    """What logging these meetings would do, against what is logged now."""
    with db.read() as ex:
        return _plan(ex, clock, meetings)


def _plan(ex: Any, clock: Clock, meetings: Sequence[Meeting]) -> list[Planned]:
    now = clock.now()
    logged = {str(row[1]): row for row in ex.rows(q.entries_from_events)}
    if meetings:
        lo = min(m.start for m in meetings)
        hi = max(m.end for m in meetings)
        spans = ex.rows(q.entry_spans_between, start=lo, end=hi, now=now)
    else:
        spans = []
    ids = {m.external_id for m in meetings}
    # Entries by the UTC days they touch: each meeting looks only at its own days.
    by_day: dict[date, list[Any]] = {}
    for span in spans:
        day = span[2].date()
        while day <= span[3].date():
            by_day.setdefault(day, []).append(span)
            day += timedelta(days=1)
    plans = []
    for meeting in meetings:
        if not meeting.skip and meeting.end > now:
            meeting = replace(meeting, skip="not over yet")
        row = logged.get(meeting.external_id)
        if meeting.skip:
            # Logged before, cancelled or declined since: the time did not happen.
            if row is not None and meeting.skip in UNDONE:
                plans.append(Planned(meeting, REMOVE, int(row[0])))
            else:
                plans.append(Planned(meeting, SKIP))
            continue
        near = {int(span[0]): span for span in by_day.get(meeting.start.date(), [])}
        near.update((int(span[0]), span) for span in by_day.get(meeting.end.date(), []))
        overlaps = tuple(
            int(span[0])
            for span in sorted(near.values(), key=lambda span: span[2])
            if span[2] < meeting.end
            and span[3] > meeting.start
            and (span[1] is None or str(span[1]) not in ids)
            and (row is None or span[0] != row[0])
        )
        if row is None:
            plans.append(Planned(meeting, "add", None, overlaps))
        elif (row[2], row[3], row[4], row[5]) == (
            meeting.category,
            meeting.start,
            meeting.end,
            meeting.title,
        ):
            plans.append(Planned(meeting, "same", int(row[0]), overlaps))
        else:
            plans.append(Planned(meeting, "move", int(row[0]), overlaps))
    return plans


@dataclass(frozen=True)
class Logged:
    """What `--apply` (or the preview's enter) did."""

    added: int
    moved: int
    same: int
    skipped: int
    removed: int = 0


def log_meetings(
    db: Database, clock: Clock, meetings: Sequence[Meeting], only: set[str] | None = None
) -> Logged:
    """Log the meetings (only those whose event id is in `only`, when given) in one
    transaction; planned again inside it, so what another program logged meanwhile
    counts."""
    now = clock.now()
    with db.write() as ex:
        plans = _plan(ex, clock, meetings)
        chosen = [p for p in plans if only is None or p.key in only]
        adds = [p for p in chosen if p.action == "add"]
        moves = [p for p in chosen if p.action == "move"]
        removes = [p for p in chosen if p.action == REMOVE]
        ex.many(q.entry_delete, [{"id": p.entry_id} for p in removes])
        ex.many(
            q.entries_insert,
            [
                {
                    "category": p.meeting.category,
                    "started_at": p.meeting.start,
                    "ended_at": p.meeting.end,
                    "note": p.meeting.title,
                    "item_id": None,
                    "created_at": now,
                    "external_id": p.meeting.external_id,
                }
                for p in adds
            ],
        )
        ex.many(
            q.entry_move,
            [
                {
                    "row_id": p.entry_id,
                    "category": p.meeting.category,
                    "started_at": p.meeting.start,
                    "ended_at": p.meeting.end,
                    "note": p.meeting.title,
                }
                for p in moves
            ],
        )
    same = sum(1 for p in chosen if p.action == "same")
    skipped = len(plans) - len(adds) - len(moves) - len(removes) - same
    return Logged(len(adds), len(moves), same, skipped, len(removes))


def week_range(clock: Clock, monday: date, days: int = 7) -> tuple[datetime, datetime]:
    """The UTC bounds of `days` local days from `monday`."""
    return clock.day_bounds(monday, days)


def plan_line(plan: Planned, clock: Clock) -> str:
    """`Tue 24 Mar 14:00–16:00  2h00  deliverables  Focus time  add (overlaps #3)`."""
    from tpm_tui.timefmt import format_duration

    m = plan.meeting
    start, end = clock.local(m.start), clock.local(m.end)
    what = f"skip: {m.skip}" if plan.action == SKIP else plan.action
    if plan.action == REMOVE:
        what = f"remove its entry #{plan.entry_id} ({m.skip})"
    if plan.overlaps:
        what += f" (overlaps {', '.join(f'#{i}' for i in plan.overlaps)})"
    span = f"{start:%H:%M}–{end:%H:%M}" if m.skip != "all day" else "all day    "
    length = format_duration(m.minutes) if m.skip != "all day" else ""
    return (
        f"{m.start if m.skip == 'all day' else start:%a %d %b} {span}  {length:>6}  "
        f"{m.category:<12}  {m.title[:50]:<50}  {what}"
    )


def plan_summary(plans: Sequence[Planned], applied: bool) -> str:
    """`logged 6 meetings (4h15m), moved 1; 2 logged already; skipped 5`."""
    from tpm_tui.timefmt import format_duration

    adds = [p for p in plans if p.action == "add"]
    minutes = sum(p.meeting.minutes for p in adds)
    moved = sum(1 for p in plans if p.action == "move")
    same = sum(1 for p in plans if p.action == "same")
    skipped = sum(1 for p in plans if p.action == SKIP)
    removed = sum(1 for p in plans if p.action == REMOVE)
    verb = (
        ("logged", "moved", "removed") if applied else ("would log", "would move", "would remove")
    )
    out = f"{verb[0]} {len(adds)} meeting{'s' * (len(adds) != 1)} ({format_duration(minutes)})"
    out += f", {verb[1]} {moved}"
    if removed:
        out += f", {verb[2]} {removed} (cancelled or declined since)"
    out += f"; {same} logged already; skipped {skipped}"
    overlapping = sum(1 for p in plans if p.overlaps and p.action in ("add", "move"))
    if overlapping:
        out += f"; {overlapping} overlap time logged already"
    return out


CALENDAR_MAX_BYTES = 64 * 1024 * 1024


def read_meeting_week(
    db: Database, clock: Clock, day: date
) -> tuple[str, list[Meeting], list[Planned]]:
    """`M` on the time screen: the week of `day` from the calendar file last used
    (`tpm config meetings-file`), with the user's address and rules: a heading, the
    meetings and their plan."""
    import os
    import stat
    from pathlib import Path

    from tpm_tui.config import shown
    from tpm_tui.dates import week_label, week_start
    from tpm_tui.services.settings import get_setting

    path = get_setting(db, "meetings-file")
    if not path:
        raise InvalidInput(
            "no calendar file yet: `tpm meetings FILE.ics --apply` or "
            "`tpm config meetings-file FILE.ics` names it"
        )
    name = shown(Path(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InvalidInput(f"{name}: not a regular file")
            data = handle.read(CALENDAR_MAX_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"{name}: cannot read it ({error.strerror or error})") from None
    if len(data) > CALENDAR_MAX_BYTES:
        raise InvalidInput(f"{name}: larger than 64 MB: that is not a calendar file")
    monday = week_start(day)
    start, end = clock.day_bounds(monday, 7)
    meetings = read_calendar(
        data,
        name,
        start,
        end,
        me=parse_emails(get_setting(db, "email")),
        rules=parse_rules(get_setting(db, "meeting-rules")),
    )
    return (
        f"Meetings of {week_label(monday)} from {name}",
        meetings,
        plan_meetings(db, clock, meetings),
    )
