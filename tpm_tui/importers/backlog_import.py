"""`tpm import --from jira|github|linear`: an export's issues mapped onto the board and
written in ONE transaction (all or nothing). A re-import finds each item by its source
key and changes only the fields the source changed since the last import (what that
import read is kept in `source_data`), so what was moved or edited in tpm meanwhile
stays as it is unless the tool changed it too."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tpm_tui.clock import Clock
from tpm_tui.db import Database
from tpm_tui.errors import InvalidInput
from tpm_tui.importers.sources import (
    READERS,
    SUBTASK,
    Parsed,
    Problem,
    SourceIssue,
    SprintRef,
    is_jira_key,
)
from tpm_tui.services import history, validate
from tpm_tui.services.backlog import ColumnView
from tpm_tui.sql import compiled as q
from tpm_tui.sql.executor import Executor

# The fields an import owns: a re-import sets one only where the source changed it.
FIELDS = ("kind", "title", "description", "acceptance", "points", "status", "sprint", "owner")
PARENT = "parent"
LEVEL = {"epic": 0, "feature": 1, "story": 2, "bug": 2, "debt": 2}
SPRINT_DAYS = 14  # a sprint the export names without dates gets two weeks
PROBLEMS_SHOWN = 20

# Status names (and Jira's status categories) that mean "done" or "being worked on".
_DONE_WORDS = {
    "done",
    "closed",
    "resolved",
    "complete",
    "completed",
    "canceled",
    "cancelled",
    "released",
    "shipped",
    "fixed",
    "merged",
    "duplicate",
    "wontfix",
    "wontdo",
    "erledigt",
    "fertig",
    "abgeschlossen",
    "termine",
    "hecho",
}
_TODO_WORDS = {"todo", "new", "open", "backlog", "triage", "selectedfordevelopment", "ready"}


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    source: str
    dry_run: bool
    added: dict[str, int]  # kind -> items added
    sprints_added: tuple[str, ...]
    updated: int
    changed_fields: dict[str, int]  # field -> items where the import changed it
    unchanged: int
    subtasks: int  # sub-tasks kept as their parent's acceptance criteria
    kept_archived: int  # items archived in tpm that the export still has
    restored: int
    problems: tuple[Problem, ...]  # rows skipped with --skip-bad
    mapping: tuple[str, ...]  # how the export was read: one line each

    def summary(self) -> str:
        """`would add 3 epics, 11 features, 142 stories/bugs, 2 sprints; would update 0;
        skipped 4 (sub-tasks: ...)`."""
        would = "would " if self.dry_run else ""
        parts = [
            _count(self.added.get("epic", 0), "epic"),
            _count(self.added.get("feature", 0), "feature"),
            _count(
                sum(self.added.get(k, 0) for k in ("story", "bug", "debt")),
                "story/bug",
                "stories/bugs",
            ),
            _count(len(self.sprints_added), "sprint"),
        ]
        add = f"{would}{'add' if self.dry_run else 'added'} {', '.join(parts)}"
        fields = ", ".join(f"{name} {n}" for name, n in sorted(self.changed_fields.items()))
        update = f"{would}{'update' if self.dry_run else 'updated'} {self.updated}"
        if fields:
            update += f" ({fields})"
        if self.unchanged:
            update += f"; {self.unchanged} unchanged"
        out = [add, update]
        skipped = self.subtasks + len(self.problems) + self.kept_archived
        if skipped:
            why = []
            if self.subtasks:
                why.append(f"{self.subtasks} sub-tasks: kept as acceptance criteria of their story")
            if self.kept_archived:
                why.append(f"{self.kept_archived} archived in tpm: --restore brings them back")
            if self.problems:
                why.append(f"{len(self.problems)} bad rows")
            out.append(f"skipped {skipped} ({'; '.join(why)})")
        if self.restored:
            out.append(f"{would}{'restore' if self.dry_run else 'restored'} {self.restored}")
        return "; ".join(out)

    def as_json(self) -> dict[str, Any]:
        """The result with stable keys (`--format json`)."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "added": dict(sorted(self.added.items())),
            "sprints_added": list(self.sprints_added),
            "updated": self.updated,
            "changed_fields": dict(sorted(self.changed_fields.items())),
            "unchanged": self.unchanged,
            "subtasks": self.subtasks,
            "kept_archived": self.kept_archived,
            "restored": self.restored,
            "problems": [str(p) for p in self.problems],
            "mapping": list(self.mapping),
        }


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def parse_maps(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--map "In QA=review"` values as {status: column}; bad ones refused."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, column = value.rpartition("=")
        if not sep or not _norm(name) or not column.strip():
            raise InvalidInput(f"--map {value!r}: use --map STATUS=COLUMN, e.g. 'In QA=review'")
        status = name.strip()
        if status.lower().startswith("status:"):
            status = status[len("status:") :]
        out[status.strip()] = column.strip()
    return out


@dataclass
class _Want:
    """One issue as it should be on the board."""

    issue: SourceIssue
    values: dict[str, Any]  # FIELDS, with status a column key and sprint a name
    parent: str | None
    done_at: datetime | None
    created: datetime | None
    acceptance_lines: list[str] = field(default_factory=list)


class _Columns:
    """Status names → board columns: --map first, then the column's own name, then the
    tool's status category, then the words that mean done or started."""

    def __init__(
        self, columns: list[ColumnView], maps: Mapping[str, str], defaults: Mapping[str, str]
    ):
        self.columns = columns
        self.first = columns[0]
        done = [c for c in columns if c.is_done]
        self.done = done[0] if done else columns[-1]
        middle = [c for c in columns if not c.is_done and c is not self.first]
        started = [c for c in middle if "progress" in _norm(c.name) or "doing" in _norm(c.name)]
        self.doing = (started or middle or [self.first])[0]
        self.maps = {
            _norm(status): self._named(column, f"--map {status}={column}")
            for status, column in maps.items()
        }
        self.defaults = dict(defaults)
        self.used: Counter[tuple[str, str]] = Counter()
        self.unknown: set[str] = set()
        self._memo: dict[tuple[str, str], ColumnView] = {}

    def _named(self, text: str, where: str) -> ColumnView:
        wanted = _norm(text)
        for column in self.columns:
            if wanted in (_norm(column.key), _norm(column.name)):
                return column
        names = ", ".join(c.key for c in self.columns)
        raise InvalidInput(f"{where}: no column {text!r}: use one of {names}")

    def _find(self, status: str, category: str) -> ColumnView:
        found = self._memo.get((status, category))
        if found is None:
            found = self._memo[(status, category)] = self._lookup(status, category)
        return found

    def _lookup(self, status: str, category: str) -> ColumnView:
        wanted = _norm(status)
        if wanted in self.maps:
            return self.maps[wanted]
        for column in self.columns:
            if wanted and wanted in (_norm(column.key), _norm(column.name)):
                return column
        if wanted in self.defaults:
            return self._named(self.defaults[wanted], "default")
        for word in (_norm(category), wanted):
            if word in _DONE_WORDS:
                return self.done
            if word in ("inprogress", "indeterminate", "started", "doing", "inreview"):
                return self.doing
            if word in _TODO_WORDS or word in ("todo", "unstarted"):
                return self.first
        if wanted:
            self.unknown.add(status)
        return self.first

    def find(self, status: str, category: str) -> ColumnView:
        """The column an issue of this status goes to (counted for the report)."""
        column = self._find(status, category)
        self.used[(status or "(none)", column.name)] += 1
        return column

    def report(self) -> list[str]:
        """`status 'In Review' → Review (12 items)` lines."""
        out = [
            f"status {status!r} → {name} ({_count(n, 'item')})"
            for (status, name), n in sorted(self.used.items())
        ]
        for status in sorted(self.unknown):
            out.append(
                f"status {status!r} is no column here: put in {self.first.name} "
                f"(--map '{status}=COLUMN' sends it elsewhere)"
            )
        return out


def read_export(source: str, data: bytes, name: str, clock: Clock) -> Parsed:
    """An export file read by its tool's reader; InvalidInput if it is not one."""
    if source not in READERS:
        raise InvalidInput(f"--from {source!r}: use one of {', '.join(READERS)}")
    zone = clock.local(clock.now()).tzinfo
    assert zone is not None
    return READERS[source](data, name, zone)


def import_backlog(
    db: Database,
    clock: Clock,
    parsed: Parsed,
    *,
    maps: Mapping[str, str] | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    restore: bool = False,
) -> ImportResult:
    """Map the export onto the board and write it in one transaction (nothing with
    dry_run). Bad rows refuse the whole import unless skip_bad."""
    if parsed.problems and not skip_bad:
        shown = [str(p) for p in parsed.problems[:PROBLEMS_SHOWN]]
        more = len(parsed.problems) - len(shown)
        raise InvalidInput(
            f"{len(parsed.problems)} bad rows, nothing imported (--skip-bad imports the rest): "
            + "; ".join(shown)
            + (f"; and {more} more" if more > 0 else "")
        )
    with db.read() if dry_run else db.write() as ex:
        return _Import(ex, clock, parsed, maps or {}, restore, dry_run).run()


class _Import:
    """One import's plan and writes, inside one transaction."""

    def __init__(
        self,
        ex: Executor,
        clock: Clock,
        parsed: Parsed,
        maps: Mapping[str, str],
        restore: bool,
        dry_run: bool,
    ) -> None:
        self.ex, self.clock, self.parsed = ex, clock, parsed
        self.restore, self.dry_run = restore, dry_run
        self.now = clock.now()
        self.columns = _Columns(
            [ColumnView(*row) for row in ex.rows(q.columns_all)], maps, parsed.default_statuses
        )
        self.by_key = {c.key: c for c in self.columns.columns}
        self.notes: list[str] = list(parsed.notes)
        self.existing = {r["source_key"]: r for r in self._records()}
        self.sprints: dict[str, int | None] = {
            str(row[1]).lower(): int(row[0]) for row in ex.rows(q.sprint_names)
        }

    def _records(self) -> list[dict[str, Any]]:
        names = q.imported_items.names
        rows = self.ex.rows(q.imported_items, source=self.parsed.source)
        return [dict(zip(names, row, strict=True)) for row in rows]

    # ---------------------------------------------------------- planning

    def _wants(self) -> tuple[dict[str, _Want], int]:
        parsed = self.parsed
        wants: dict[str, _Want] = {}
        subtasks: list[SourceIssue] = []
        has_children: set[str] = set()
        for issue in parsed.issues:
            if issue.parent:
                has_children.add(self._parent_key(issue.parent))
        dropped_points = 0
        types: Counter[tuple[str, str]] = Counter()
        for issue in parsed.issues:
            if issue.kind == SUBTASK:
                subtasks.append(issue)
                continue
            kind = issue.kind
            if parsed.parents_are_features and kind == "story" and issue.key in has_children:
                kind = "feature"
            types[(issue.type_name, kind)] += 1
            column = self.columns.find(issue.status, issue.status_category)
            points = issue.points
            if points is not None and LEVEL[kind] < 2:
                points, dropped_points = None, dropped_points + 1
            title = " ".join(issue.title.split())[: validate.TITLE_MAX] or issue.key
            values = {
                "kind": kind,
                "title": title,
                "description": _block(issue.description),
                "acceptance": "",
                "points": points,
                "status": column.key,
                "sprint": issue.sprint.name[: validate.NAME_MAX] if issue.sprint else None,
                "owner": " ".join(issue.owner.split())[: validate.OWNER_MAX],
            }
            done_at = (issue.resolved or self.now) if column.is_done else None
            parent = self._parent_key(issue.parent) if issue.parent else None
            wants[issue.key] = _Want(issue, values, parent, done_at, issue.created)
        self.notes += [
            f"type {name!r} → {kind} ({_count(n, 'item')})"
            for (name, kind), n in sorted(types.items())
        ]
        if dropped_points:
            self.notes.append(
                f"points of {_count(dropped_points, 'epic/feature', 'epics/features')} left "
                "out: theirs are the roll-up of the items under them"
            )
        orphans = 0
        for sub in subtasks:
            parent_key = self._parent_key(sub.parent) if sub.parent else None
            holder = wants.get(parent_key) if parent_key else None
            if holder is None:
                orphans += 1
                continue
            done = self.columns._find(sub.status, sub.status_category).is_done
            title = " ".join(sub.title.split())
            holder.acceptance_lines.append(f"- [{'x' if done else ' '}] {title} ({sub.key})")
        for want in wants.values():
            if want.acceptance_lines:
                want.values["acceptance"] = _block("\n".join(want.acceptance_lines))
        if subtasks:
            self.notes.append(
                f"{_count(len(subtasks), 'sub-task')} kept as acceptance criteria of "
                "their story"
                + (f" ({orphans} whose parent is not in the file left out)" if orphans else "")
            )
        return wants, len(subtasks)

    def _parent_key(self, text: str) -> str:
        """A parent as the export names it: a key, or (Jira Cloud) the parent's issue id."""
        if text in self.parsed.refs and not is_jira_key(text):
            return self.parsed.refs[text]
        return text

    def _parent_fits(self, kind: str, parent_kind: str | None) -> bool:
        if parent_kind is None:
            return True
        if kind == "epic":
            return False
        if kind == "feature":
            return parent_kind == "epic"
        return parent_kind in ("epic", "feature")

    # ---------------------------------------------------------- writing

    def run(self) -> ImportResult:
        """Plan, then (unless a dry run) write; the result either way."""
        wants, subtasks = self._wants()
        sprints_added = self._sprints(wants)
        added: Counter[str] = Counter()
        changed: Counter[str] = Counter()
        updated = unchanged = kept = restored = 0
        new_rows: list[tuple[_Want, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        pending: dict[int, str] = {}  # item id -> the key of a parent added by this import
        kept_kinds = 0
        self.parents = {int(row[0]) for row in self.ex.rows(q.items_with_children)}
        ranks = {str(row[0]): int(row[1] or 0) for row in self.ex.rows(q.column_max_ranks)}
        # Final kinds of every key (for the parent rules), existing items included.
        kinds = {key: str(r["kind"]) for key, r in self.existing.items()}
        ids = {key: int(r["id"]) for key, r in self.existing.items()}
        bad_parents = 0
        for key, want in wants.items():
            row = self.existing.get(key)
            if row is None:
                kinds[key] = want.values["kind"]
        for key, want in wants.items():
            row = self.existing.get(key)
            if row is None:
                new = self._new_row(want, ranks)
                added[want.values["kind"]] += 1
                new_rows.append((want, new))
                continue
            if row["archived_at"] is not None and not self.restore:
                kept += 1
                continue
            last = json.loads(row["source_data"] or "{}")
            item = dict(row)
            fields_changed = []
            for name in FIELDS:
                if want.values[name] != last.get(name) and not self._same(item, name, want):
                    if name == "kind" and not self._kind_fits(item, want.values["kind"]):
                        kept_kinds += 1
                        continue
                    fields_changed.append(name)
                    self._apply(item, name, want, ranks)
            if LEVEL[item["kind"]] < 2 and item["points"] is not None:
                item["points"] = None  # an epic's or feature's points are its roll-up
            if want.parent != last.get(PARENT):
                parent_id = ids.get(want.parent) if want.parent else None
                if want.parent and parent_id is None and want.parent in wants:
                    fields_changed.append(PARENT)  # a parent this import adds
                    pending[int(item["id"])] = want.parent
                elif item["parent_id"] != parent_id:
                    fields_changed.append(PARENT)
                    item["parent_id"] = parent_id
            if item["archived_at"] is not None:
                item["archived_at"] = None
                restored += 1
            data = _data(want)
            if fields_changed or item["archived_at"] != row["archived_at"]:
                item["updated_at"] = self.now
                kinds[key] = item["kind"]
                changed.update(fields_changed)
                updated += 1
            elif data == row["source_data"]:
                unchanged += 1
                continue
            else:
                unchanged += 1
            item["source_data"] = data
            updates.append(item)
        if not self.dry_run:
            self._write(new_rows, updates, pending, ids, kinds)
        else:
            bad_parents = sum(
                1
                for want in wants.values()
                if want.parent
                and want.parent in kinds
                and not self._parent_fits(want.values["kind"], kinds[want.parent])
            )
        bad_parents += self.bad_parents_written
        mapping = [*self.notes, *self.columns.report()]
        missing = {w.parent for w in wants.values() if w.parent and w.parent not in kinds}
        if missing:
            mapping.append(
                f"{_count(len(missing), 'parent')} not in the file nor imported before: "
                "those items have no parent"
            )
        if kept_kinds:
            mapping.append(
                f"{_count(kept_kinds, 'item')} kept its kind: the new one cannot hold the "
                "items under it (move them first)"
            )
        if bad_parents:
            mapping.append(
                f"{_count(bad_parents, 'parent')} left out where the tree does not allow it "
                "(a story under a story, a feature under a feature)"
            )
        return ImportResult(
            source=self.parsed.source,
            dry_run=self.dry_run,
            added=dict(added),
            sprints_added=tuple(sprints_added),
            updated=updated,
            changed_fields=dict(changed),
            unchanged=unchanged,
            subtasks=subtasks,
            kept_archived=kept,
            restored=restored,
            problems=tuple(self.parsed.problems),
            mapping=tuple(mapping),
        )

    bad_parents_written = 0

    def _kind_fits(self, item: dict[str, Any], kind: str) -> bool:
        """A kind an item with children may take: only an epic holds any child (a
        feature holds no features, a story nothing)."""
        return int(item["id"]) not in self.parents or kind in ("epic", item["kind"])

    def _same(self, item: dict[str, Any], name: str, want: _Want) -> bool:
        """Whether the item already holds what the source now says (nothing to do)."""
        if name == "sprint":
            wanted = want.values["sprint"]
            return bool(item["sprint_id"] == (self.sprints.get(wanted.lower()) if wanted else None))
        return bool(item[name] == want.values[name])

    def _apply(self, item: dict[str, Any], name: str, want: _Want, ranks: dict[str, int]) -> None:
        value = want.values[name]
        if name == "sprint":
            item["sprint_id"] = self.sprints.get(value.lower()) if value else None
        elif name == "status":
            column = self.by_key[value]
            ranks[column.key] = ranks.get(column.key, 0) + 1
            item["status"], item["rank"] = column.key, ranks[column.key]
            item["done_at"] = want.done_at if column.is_done else None
        elif name == "points":
            item["points"] = value if LEVEL[item["kind"]] == 2 else None
        else:
            item[name] = value

    def _new_row(self, want: _Want, ranks: dict[str, int]) -> dict[str, Any]:
        values = want.values
        ranks[values["status"]] = ranks.get(values["status"], 0) + 1
        sprint = values["sprint"]
        created = want.created or self.now
        return {
            "kind": values["kind"],
            "parent_id": None,
            "goal_id": None,
            "title": values["title"],
            "description": values["description"],
            "acceptance": values["acceptance"],
            "status": values["status"],
            "rank": ranks[values["status"]],
            "points": values["points"],
            "sprint_id": self.sprints.get(sprint.lower()) if sprint else None,
            "owner": values["owner"],
            "start_date": None,
            "target_date": None,
            "created_at": created,
            "updated_at": self.now,
            "done_at": want.done_at,
            "archived_at": None,
            "source": self.parsed.source,
            "source_key": want.issue.key,
            "source_data": _data(want),
            "version": 0,
        }

    def _sprints(self, wants: dict[str, _Want]) -> list[str]:
        """Create the sprints the export names that tpm lacks (dates when it has them)."""
        refs: dict[str, SprintRef] = {}
        for want in wants.values():
            ref = want.issue.sprint
            if ref is not None and want.values["sprint"]:
                name = want.values["sprint"]
                if name.lower() not in self.sprints and name.lower() not in refs:
                    refs[name.lower()] = SprintRef(name, ref.start, ref.end)
        from tpm_tui.services.planning import SprintView, check_free

        # Each sprint to make, by the name it gets here ("12" and "Sprint 12" are one),
        # with the export's names for it; one renamed to a sprint tpm has is that one.
        named: dict[str, tuple[SprintRef, list[str]]] = {}
        for key, ref in refs.items():
            name = self._reachable(ref.name)
            if name is None:
                continue  # (its items come in without a sprint, said so)
            if name.lower() in self.sprints:
                self.sprints[key] = self.sprints[name.lower()]
            elif name.lower() in named:
                named[name.lower()][1].append(key)
            else:
                named[name.lower()] = (SprintRef(name, ref.start, ref.end), [key])
        today = self.clock.today()
        # Sprints never share a day: one without dates goes after the last one.
        taken = [
            SprintView(*row).end_date
            for row in self.ex.rows(
                q.sprints_overlapping, start=validate.DATE_MIN, end=validate.DATE_MAX, but=None
            )
        ]
        undated: list[SprintRef] = []
        dated: list[tuple[SprintRef, date, date]] = []
        for ref, _keys in named.values():
            end = ref.end or (ref.start + timedelta(days=SPRINT_DAYS - 1) if ref.start else None)
            start = ref.start or (end - timedelta(days=SPRINT_DAYS - 1) if end else None)
            if start is None or end is None or end < start:
                undated.append(ref)
            else:
                dated.append((ref, _clamp(start), _clamp(end)))
                taken.append(_clamp(end))
        had_sprints = bool(taken)  # (tpm's, and the export's with dates)
        for ref in undated:
            start = max([today, *(day + timedelta(days=1) for day in taken)])
            end = start + timedelta(days=SPRINT_DAYS - 1)
            dated.append((ref, _clamp(start), _clamp(end)))
            taken.append(_clamp(end))
        made: list[str] = []
        for ref, start, end in dated:
            keys = [ref.name.lower(), *named[ref.name.lower()][1]]
            try:
                check_free(self.ex, start, end)
            except InvalidInput as refused:
                # Sprints never share a day: its items come in without a sprint, said so.
                for key in keys:
                    self.sprints[key] = None
                self.notes.append(f"sprint {ref.name!r} not made: {refused}; its items have none")
                continue
            sprint_id = -1  # (a dry run makes nothing)
            if not self.dry_run:
                sprint_id = self.ex.scalar(
                    q.sprint_insert,
                    name=ref.name,
                    start_date=start,
                    end_date=end,
                    goal="",
                    capacity=None,
                    velocity=None,
                    closed_at=None,
                    retro="",
                )
            for key in keys:
                self.sprints[key] = int(sprint_id)
            made.append(ref.name)
        if undated:
            after = "after the last sprint" if had_sprints else "from today"
            self.notes.append(
                f"{_count(len(undated), 'sprint')} without dates in the export: given two "
                f"weeks each {after} (`tpm sprint edit` changes them)"
            )
        return made

    def _reachable(self, name: str) -> str | None:
        """The name a sprint of the export gets in tpm: its own, or, where that would
        mean something else where a sprint is named (`current`, `12`), "Sprint 12"
        (said); None (its items come in without a sprint, said so) if neither
        can name a sprint."""
        from tpm_tui.services.planning import sprint_name

        try:
            return sprint_name(name)
        except InvalidInput:
            pass
        try:
            renamed = sprint_name(f"Sprint {name}")
        except InvalidInput as refused:
            self.sprints[name.lower()] = None
            self.notes.append(f"sprint {name!r} not made: {refused}; its items have none")
            return None
        self.notes.append(
            f"sprint {name!r} is called {renamed!r} here ({name!r} means something else"
            " where a sprint is named)"
        )
        return renamed

    def _write(
        self,
        new_rows: list[tuple[_Want, dict[str, Any]]],
        updates: list[dict[str, Any]],
        pending: dict[int, str],
        ids: dict[str, int],
        kinds: dict[str, str],
    ) -> None:
        """Insert new items level by level (parents first, so their ids are known),
        then set every parent and write the updates."""
        ex = self.ex
        ex.many(q.imported_items_insert, [row for _, row in new_rows])
        for row in ex.rows(q.imported_item_ids, source=self.parsed.source):
            ids[str(row[1])] = int(row[0])
        # The item history: each new item created when the export says (done when it
        # was resolved), as the history of a workspace from before it is told.
        events: list[dict[str, Any] | None] = []
        for want, new in new_rows:
            after = {**new, "id": ids[want.issue.key]}
            created = {**after, "done_at": None}
            events.append(history.event(None, created, min(new["created_at"], self.now)))
            if new["done_at"] is not None:
                events.append(history.event(created, after, min(new["done_at"], self.now)))
        wants = {want.issue.key: want for want, _ in new_rows}
        parent_sets: list[dict[str, Any]] = []
        bad = 0
        for key, want in wants.items():
            if want.parent and want.parent in ids:
                if self._parent_fits(want.values["kind"], kinds.get(want.parent)):
                    parent_sets.append({"row_id": ids[key], "parent_id": ids[want.parent]})
                else:
                    bad += 1
        kind_of = {ids[k]: kind for k, kind in kinds.items() if k in ids}
        for item in updates:
            if item["id"] in pending:
                item["parent_id"] = ids.get(pending[item["id"]])
            parent_id = item["parent_id"]
            if parent_id is not None:
                parent_kind = kind_of.get(parent_id)
                if parent_kind is not None and not self._parent_fits(item["kind"], parent_kind):
                    item["parent_id"] = None
                    bad += 1
        ex.many(q.imported_item_set_parent, parent_sets)
        before = {int(r["id"]): r for r in self.existing.values()}
        events += [history.event(dict(before[item["id"]]), item, self.now) for item in updates]
        history.record_all(ex, events)
        ex.many(
            q.item_update,
            [
                {
                    "row_id": item["id"],
                    **{k: v for k, v in item.items() if k != "id"},
                    "version": item["version"] + 1,  # a form open meanwhile sees the change
                }
                for item in updates
            ],
        )
        self.bad_parents_written = bad


def _data(want: _Want) -> str:
    """What this import read for an item (compared with by the next import)."""
    return json.dumps({**want.values, PARENT: want.parent}, sort_keys=True)


def _block(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[: validate.TEXT_MAX]


def _clamp(day: date) -> date:
    return min(max(day, validate.DATE_MIN), validate.DATE_MAX)
