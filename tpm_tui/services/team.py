"""The team and what it can take on: people with a focus factor, their days away, and a
sprint's capacity in points (people × available days × focus × points per person-day
learned from past sprints; a capacity typed for the sprint wins)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput, NotFound
from tpm_tui.services import validate
from tpm_tui.services.planning import SprintView
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

DEFAULT_FOCUS = 70
# Points per focused person-day until a closed sprint teaches a better figure.
ASSUMED_PER_PERSON_DAY = 1.0
LEARN_FROM = 3  # closed sprints the forecast and the points per person-day look back on


@dataclass(frozen=True)
class Member:
    """A person of the team."""

    id: int
    name: str
    focus_percent: int


@dataclass(frozen=True)
class PersonDays:
    """One person's share of a sprint."""

    name: str
    workdays: int
    away: int
    focus_percent: int

    @property
    def available(self) -> int:
        """Working days in the sprint they are there."""
        return self.workdays - self.away

    @property
    def person_days(self) -> float:
        """Available days × focus."""
        return self.available * self.focus_percent / 100


@dataclass(frozen=True)
class Capacity:
    """A sprint's capacity and how it was made."""

    points: int | None
    manual: bool
    people: tuple[PersonDays, ...]
    per_person_day: float
    learned_from: tuple[str, ...]  # the sprints it was learned from; empty: assumed

    @property
    def person_days(self) -> float:
        """The team's focused person-days in the sprint."""
        return sum(p.person_days for p in self.people)

    def summary(self) -> str:
        """How the number was made, in one line (each step, person by person: `explain`,
        shown by `tpm sprint capacity` and by c on the sprint screen)."""
        if self.manual:
            return f"capacity {self.points} pts set by hand for this sprint"
        if not self.people:
            return "capacity: no team yet (`tpm team add NAME`)"
        source = (
            f"learned from {', '.join(self.learned_from)}"
            if self.learned_from
            else "assumed until a sprint is closed"
        )
        return (
            f"capacity {self.points} = {self.person_days:.1f} person-days × "
            f"{self.per_person_day:.2f} pts/person-day ({source})"
        )

    def explain(self) -> list[str]:
        """How the number was made, a line per step."""
        lines = [
            f"{p.name}: {p.workdays} working days − {p.away} away = {p.available} × "
            f"{p.focus_percent}% focus = {p.person_days:.1f} person-days"
            for p in self.people
        ]
        source = (
            f"learned from {', '.join(self.learned_from)}"
            if self.learned_from
            else "assumed until a sprint is closed"
        )
        if self.people:
            lines.append(
                f"{self.person_days:.1f} person-days × {self.per_person_day:.2f} points per "
                f"person-day ({source}) = {round(self.person_days * self.per_person_day)} pts"
            )
        else:
            lines.append("no team yet: `tpm team add NAME` adds people")
        if self.manual:
            lines.append(f"set by hand for this sprint: {self.points} pts (that wins)")
        return lines


def workdays(start: date, end: date) -> list[date]:
    """Monday to Friday from start to end, both included."""
    days = (end - start).days + 1
    return [d for d in (start + timedelta(days=i) for i in range(days)) if d.weekday() < 5]


def _members(ex: Executor) -> list[Member]:
    return [Member(*row) for row in ex.rows(q.members_all)]


def list_members(db: Database) -> list[Member]:
    """The team, by name."""
    with db.read() as ex:
        return _members(ex)


def parse_focus(text: str) -> int:
    """`0.7`, `70%` or `70` as a whole percent from 5 to 100."""
    raw = text.strip().rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # round() raises on inf (also 4,301 nines) and nan
        raise InvalidInput(f"focus {text[:24]!r} is not a number: use 0.7 or 70%", "focus")
    percent = round(value * 100) if value <= 1 and "%" not in text else round(value)
    if not 5 <= percent <= 100:
        raise InvalidInput("the focus is a share of the day from 0.05 to 1 (5% to 100%)", "focus")
    return percent


def add_member(db: Database, name: str, focus_percent: int = DEFAULT_FOCUS) -> Member:
    """Add a person (names are unique in any case)."""
    clean = validate.title(name, "name", validate.OWNER_MAX)
    if not 5 <= focus_percent <= 100:
        raise InvalidInput("the focus is from 5% to 100%", "focus")
    with db.write() as ex:
        if any(m.name.lower() == clean.lower() for m in _members(ex)):
            raise InvalidInput(f"{clean} is already in the team", "name")
        member_id = ex.scalar(q.member_insert, name=clean, focus_percent=focus_percent)
    return Member(int(member_id), clean, focus_percent)


def _find(ex: Executor, name: str) -> Member:
    for member in _members(ex):
        if member.name.lower() == name.strip().lower():
            return member
    raise NotFound(f"no {name!r} in the team: `tpm team list` shows it", "name")


def set_focus(db: Database, name: str, focus_percent: int) -> Member:
    """Change a person's focus."""
    with db.write() as ex:
        member = _find(ex, name)
        ex.run(q.member_set_focus, row_id=member.id, focus_percent=focus_percent)
    return Member(member.id, member.name, focus_percent)


_RANGE = re.compile(r"\s*(.+?)\s*(?:\.\.|\s+to\s+)\s*(.+?)\s*$")


def parse_days(text: str, today: date) -> tuple[date, date]:
    """`DATE` or `DATE..DATE` (each an ISO date or a word `--date` takes)."""
    from tpm_tui.dates import parse_day

    match = _RANGE.match(text)
    first, last = (match[1], match[2]) if match else (text, text)
    start, end = parse_day(first, today), parse_day(last, today)
    if end < start:
        raise InvalidInput(f"{end} is before {start}: write the first day first", "days")
    return start, end


def add_away(db: Database, name: str, start: date, end: date) -> tuple[Member, int]:
    """Record days away; returns the person and how many working days they cover."""
    validate.day(start, "start_date")
    validate.day(end, "end_date")
    with db.write() as ex:
        member = _find(ex, name)
        ex.run(q.away_insert, member_id=member.id, start_date=start, end_date=end)
    return member, len(workdays(start, end))


def remove_member(db: Database, name: str) -> tuple[Member, int]:
    """Take a person off the team with their days away; returns them and how many
    stretches of days away went with them."""
    with db.write() as ex:
        member = _find(ex, name)
        stretches = len(ex.rows(q.away_of_member, member_id=member.id))
        ex.run(q.away_delete_of_member, member_id=member.id)
        ex.run(q.member_delete, id=member.id)
    return member, stretches


def remove_away(db: Database, name: str, start: date, end: date) -> tuple[Member, int]:
    """Take the days `start`..`end` out of a person's days away (a stretch reaching
    past them is trimmed, or split in two); returns the person and how many working
    days away that gave back."""
    validate.day(start, "start_date")
    validate.day(end, "end_date")
    one = timedelta(days=1)
    back: set[date] = set()
    with db.write() as ex:
        member = _find(ex, name)
        for away_id, first, last in ex.rows(q.away_of_member, member_id=member.id):
            if last < start or first > end:
                continue
            back |= set(workdays(max(first, start), min(last, end)))
            ex.run(q.away_delete, id=away_id)
            for kept_first, kept_last in ((first, start - one), (end + one, last)):
                if kept_first <= kept_last:
                    ex.run(
                        q.away_insert,
                        member_id=member.id,
                        start_date=kept_first,
                        end_date=kept_last,
                    )
    return member, len(back)


def away_of(db: Database) -> dict[int, list[tuple[date, date]]]:
    """Each person's stretches of days away (by member id), earliest first."""
    away: dict[int, list[tuple[date, date]]] = {}
    with db.read() as ex:
        for member_id, start, end in ex.rows(q.away_all):
            away.setdefault(int(member_id), []).append((start, end))
    return away


def _away_days(ex: Executor) -> dict[int, set[date]]:
    away: dict[int, set[date]] = {}
    for member_id, start, end in ex.rows(q.away_all):
        away.setdefault(int(member_id), set()).update(workdays(start, end))
    return away


def _people(
    members: Sequence[Member], away: dict[int, set[date]], sprint: SprintView
) -> tuple[PersonDays, ...]:
    days = set(workdays(sprint.start_date, sprint.end_date))
    return tuple(
        PersonDays(m.name, len(days), len(days & away.get(m.id, set())), m.focus_percent)
        for m in members
    )


def learned_from(sprints: Sequence[SprintView], sprint: SprintView) -> list[SprintView]:
    """The closed sprints that finished work (a velocity over 0) and started before
    `sprint`, the latest LEARN_FROM of them. (A sprint closed with nothing done, such
    as one made by mistake and closed empty, would teach a capacity of 0.)"""
    closed = [s for s in sprints if s.closed and s.velocity and s.start_date < sprint.start_date]
    return closed[-LEARN_FROM:]


def capacity_in(ex: Executor, sprints: Sequence[SprintView], sprint: SprintView) -> Capacity:
    """`sprint`'s capacity (inside a read), from the team, its days away and the sprints
    before it."""
    members = _members(ex)
    away = _away_days(ex)
    people = _people(members, away, sprint)
    past = learned_from(sprints, sprint)
    past_days = sum(sum(p.person_days for p in _people(members, away, s)) for s in past)
    if past and past_days > 0:
        per_day = sum(s.velocity or 0 for s in past) / past_days
        names = tuple(s.name for s in past)
    else:
        per_day, names = ASSUMED_PER_PERSON_DAY, ()
    computed = round(sum(p.person_days for p in people) * per_day) if people else None
    manual = sprint.capacity is not None
    return Capacity(sprint.capacity if manual else computed, manual, people, per_day, names)
