"""The goals screen: the product vision on top, then each goal with its key results
(baseline → target, current value, a sparkline of its history) and the epics that
serve it, its progress shown two ways side by side — outcome (key results) and output
(its epics' done points) — so a goal whose work is done but whose numbers did not move
stands out."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.screens.base import WorkspaceScreen, opens_form, queued, unless_leaving
from tpm_tui.screens.timekeeping import LineModal
from tpm_tui.undo import GoalArchived, UndoStack, ValueRecorded
from tpm_tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from datetime import date

    from textual.css.styles import RulesMap
    from textual.geometry import Region
    from textual.strip import Strip

    from tpm_tui.db import ChangeWatcher, Database
    from tpm_tui.services.goals import EpicLine, Goals, GoalView, KeyResultView

BAR = 10  # cells of a progress bar

_KR_LINE = re.compile(
    r"^(?P<title>.+?):\s*(?P<base>\S+)\s*(?:->|→)\s*(?P<target>\S+)\s*(?P<unit>.*)$"
)


class Lines(Content):
    """A row of the goals list. Its height is its count of lines when every line fits
    the width (the usual case): the list measures every row before it first draws, and
    Textual's own measure wraps each one (~0.2 ms a row, 450 rows for 50 goals)."""

    def get_height(self, rules: RulesMap, width: int) -> int:
        """The lines it takes at `width`, as Textual's wrapping gives them."""
        text = self.plain
        room = width - rules.get("line_pad", 0) * 2
        lines = text.split("\n")
        if "\t" in text or any(cell_len(line) > room for line in lines):
            return super().get_height(rules, width)  # it wraps: Textual's measure
        return len(lines)


class GoalsList(OptionList):
    """The goals' rows. Textual's option list forgets every row's measure and drawing
    when it is told its size, even the width it was drawn at (the Resize that follows
    its first paint): each row of the screen's first paint was measured and drawn
    twice. They are kept while the width is the one they were drawn at."""

    # j and k move as on the board and the other lists (↑ ↓ are the option list's own).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    _drawn_width = -1

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw, noting the width the rows are measured and drawn at."""
        self._drawn_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def on_resize(self, event: events.Resize) -> None:
        """Keep the rows drawn at this width (the option list's own handler, called
        after this one unless prevented, forgets them all)."""
        if self.scrollable_content_region.width == self._drawn_width:
            event.prevent_default()


def bar(percent: int | None, width: int = BAR) -> Content:
    """`████░░░░░░ 40 %` (`–` when there is nothing to measure)."""
    if percent is None:
        return Content.assemble(("·" * width, "dim"), "   – ")
    filled = round(max(0, min(100, percent)) / 100 * width)
    return Content.assemble(
        ("█" * filled, "bold $primary"), ("░" * (width - filled), "dim"), f" {percent:3d} %"
    )


def vision_text(body: str) -> str:
    """The vision as the screen shows it: its paragraphs re-flowed (the terminal wraps
    them), a first `# Vision` heading left out, notes (HTML comments) dropped."""
    body = re.sub(r"<!--.*?(-->|\Z)", "", body, flags=re.DOTALL)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    if paragraphs and re.fullmatch(r"#+\s*vision", paragraphs[0], re.IGNORECASE):
        paragraphs = paragraphs[1:]
    return "\n".join(paragraphs) or "(empty — press v to write it)"


def _goals(data: object) -> Goals:
    """What a read ahead holds for this screen."""
    from tpm_tui.services.goals import Goals

    assert isinstance(data, Goals)
    return data


def parse_key_result(text: str) -> tuple[str, str, str, str]:
    """`Activation rate: 12 -> 25 %` → title, baseline, target, unit."""
    found = _KR_LINE.match(text.strip())
    if found is None:
        raise InvalidInput("type TITLE: BASELINE -> TARGET [UNIT], e.g. Activation: 12 -> 25 %")
    unit = found["unit"].strip()
    if "->" in unit or "→" in unit:  # `x: 1 -> 2 -> 3`: not a unit
        raise InvalidInput(
            "one baseline and one target: TITLE: BASELINE -> TARGET [UNIT], "
            "e.g. Activation: 12 -> 25 %"
        )
    return found["title"], found["base"], found["target"], unit


class GoalsScreen(WorkspaceScreen):
    """The vision, the goals, their key results and the epics that serve them
    (↑ ↓ or k j move between rows)."""

    AUTO_FOCUS = "#goals-list"
    ICON = "◎"
    LIVE = True  # reads again within a second of a commit made elsewhere
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_goal", "New goal"),
        Binding("a", "add_key_result", "Add key result"),
        Binding("m", "record_value", "Record value"),
        Binding("p", "prd", "PRD"),
        Binding("v", "vision", "Vision"),
        Binding("x", "archive", "Archive goal"),
        Binding("u", "undo", "Undo"),
    ]

    class Loaded(Message):
        """The goals read off the UI thread."""

        def __init__(self, goals: Goals) -> None:
            super().__init__()
            self.goals = goals

    def __init__(self) -> None:
        super().__init__()
        self.goals: Goals | None = None
        self.undo = UndoStack()
        # Whether anything was committed since the goals were last read (on a SQLite
        # file; a server's screen reads again each time it is shown), and that day:
        # shown again with neither, the screen is still true and reads nothing.
        self._changes: ChangeWatcher | None = None
        self._read_day: date | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_top("Reading the goals…")
        yield Static("", id="goals-vision")
        yield GoalsList(id="goals-list")
        yield KeyBar()

    def reload(self, first: bool) -> None:
        """Read them (again). The first time, the app's read ahead is shown if it is
        done and still true (drawn with the screen's first paint), or taken if it is on
        its way."""
        if not first and not self.ready:
            return  # shown for the first time: the read the mount started is on its way
        today = self.workspace.clock.today()
        if not first and self._still_true(today):
            return  # shown again (or first shown, built ahead): nothing changed since
        self._note_read(today)
        if first:
            ahead = self.tpm.read_ahead.take("goals", wait=False)
            if ahead is not None and ahead.still_true(self.workspace.clock.today()):
                self.on_goals_screen_loaded(self.Loaded(_goals(ahead.data)))
                return
        self.expect_data()
        self.load(ahead=first)

    def _still_true(self, today: date) -> bool:
        """Whether nothing was committed since the goals were read, and it is that day."""
        return self._changes is not None and today == self._read_day and not self._changes.changed()

    def _note_read(self, today: date) -> None:
        """A read starts: a commit from now on reads as a change (the watcher is asked
        before the read, so what the read may miss is read again next time)."""
        from tpm_tui.db import ChangeWatcher

        self._read_day = today
        if self._changes is not None:
            self._changes.changed()
        elif self.workspace.is_open and self.workspace.location.path is not None:
            self._changes = ChangeWatcher(self.workspace.location.path)

    def on_unmount(self) -> None:
        """Close the change watcher's connection."""
        if self._changes is not None:
            self._changes.close()

    @work(thread=True, exclusive=True, group="goals-load")
    def load(self, ahead: bool = False) -> None:
        """Read the vision, goals, key results and epics (or take the app's read ahead,
        if `ahead` and one is on its way and still true)."""
        from tpm_tui.services.goals import load_goals

        ws = self.workspace
        read_ahead = self.tpm.read_ahead.take("goals", wait=True) if ahead else None
        if read_ahead is not None and read_ahead.still_true(ws.clock.today()):
            self.post_message(self.Loaded(_goals(read_ahead.data)))
            return
        try:
            found = load_goals(ws.open(), ws.clock)
        except TpmError as error:
            self.failed(error)
            return
        self.post_message(self.Loaded(found))

    @unless_leaving
    def on_goals_screen_loaded(self, message: Loaded) -> None:
        """Draw the vision and the goals, keeping the cursor on the same row."""
        self.goals = found = message.goals
        vision = self.query_one("#goals-vision", Static)
        if found.vision is None:
            vision.update(Content.assemble(("No vision yet — press v to write it.", "dim")))
        else:
            vision.update(
                Content.assemble(("Vision  ", "bold $accent"), vision_text(found.vision.body))
            )
        options = self.query_one(OptionList)
        kept = self.selected_id()
        options.clear_options()
        rows = self._options(found)
        # A list that surely scrolls (a row or a divider is at least one line) has its
        # scroll bar from its first layout: one that comes only once the rows are
        # measured, at the first paint, narrows the list, and every row shown was
        # measured and drawn again.
        options.styles.overflow_y = "scroll" if len(rows) >= self.size.height else "auto"
        options.add_options(rows)
        if kept is not None:
            try:
                options.highlighted = options.get_option_index(kept)
            except Exception:  # the row is gone (archived): the first one then
                options.highlighted = 0
        elif options.option_count:
            options.highlighted = 0
        self.refresh_status()
        self.loaded()

    def _options(self, found: Goals) -> list[Option | None]:
        out: list[Option | None] = []
        if not found.goals:
            out.append(Option(Lines("No goals yet — press n to add one."), id="none"))
        for goal in found.goals:
            out.append(Option(self._goal_line(goal), id=f"g{goal.id}"))
            for kr in goal.key_results:
                out.append(Option(self._kr_line(kr), id=f"k{kr.id}"))
            if not goal.key_results:
                out.append(
                    Option(
                        Lines.assemble(("    no key results yet — a adds one", "dim")),
                        id=f"g{goal.id}-none",
                        disabled=True,
                    )
                )
            for line in goal.epics:
                out.append(Option(self._epic_line(line), id=f"e{line.item.id}"))
            out.append(None)
        if found.unlinked:
            n = len(found.unlinked)
            out.append(
                Option(
                    Lines.assemble(
                        (
                            f"{n} epic{'s' if n != 1 else ''} serve{'s' if n == 1 else ''} no goal",
                            "bold",
                        ),
                        ("   (tpm edit EPIC --goal G1 links one)", "dim"),
                    ),
                    id="unlinked",
                    disabled=True,
                )
            )
            for line in found.unlinked:
                out.append(Option(self._epic_line(line), id=f"e{line.item.id}"))
        return out

    @staticmethod
    def _goal_line(goal: GoalView) -> Content:
        due = f"  due {goal.due_date}" if goal.due_date else ""
        parts: list[Content | str | tuple[str, str]] = [
            (goal.label, "bold $accent"),
            " ",
            (goal.title, "bold"),
            (due, "dim"),
            "\n    outcome ",
            bar(goal.outcome_percent),
            "   output ",
            bar(goal.output_percent),
        ]
        if goal.output_ahead:
            parts.append(("   ⚠ epics done, numbers not moving", "bold $warning"))
        return Lines.assemble(*parts)

    @staticmethod
    def _kr_line(kr: KeyResultView) -> Content:
        now = f"now {kr.shown(kr.current)}" if kr.values else "not measured"
        return Lines.assemble(
            "    ",
            (f"KR{kr.id} ", "dim"),
            kr.title,
            f"  {kr.shown(kr.baseline)} → {kr.shown(kr.target)}  {now}  ",
            (kr.sparkline(), "$primary"),
            f"  {kr.progress:.0f} %",
            (f"  due {kr.due_date}" if kr.due_date else "", "dim"),
        )

    @staticmethod
    def _epic_line(line: EpicLine) -> Content:
        item = line.item
        prd = f"  PRD {line.prd}" if line.prd is not None else "  no PRD"
        return Lines.assemble(
            "    ◆ ",
            (f"#{item.id} ", "dim"),
            item.title,
            f"  {line.done_percent} % done · {line.status.value}",
            (prd, "dim"),
        )

    def selected_id(self) -> str | None:
        """The id of the row under the cursor (`g3`, `k4`, `e12`)."""
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not options.option_count:
            return None
        return options.get_option_at_index(index).id

    def _goal_under_cursor(self) -> GoalView | None:
        """The goal of the row under the cursor (its header, a key result or an epic)."""
        if self.goals is None:
            return None
        selected = self.selected_id() or ""
        for goal in self.goals.goals:
            ids = {f"g{goal.id}", *(f"k{kr.id}" for kr in goal.key_results)}
            ids |= {f"e{line.item.id}" for line in goal.epics}
            if selected in ids:
                return goal
        return None

    def refresh_status(self) -> None:
        """How many goals, and the keys."""
        if self.goals is None:
            return
        n = len(self.goals.goals)
        self.set_status(
            Content.assemble(
                (f"Goals · {n} active", "bold"), "   n a m · p v · x u", ("   ? all keys", "dim")
            )
        )

    # ------------------------------------------------------------ keys

    def _done(self, message: str | None) -> None:
        if message:
            self.notify(message, markup=False)
            self.expect_data()
            self.load()

    @queued
    @opens_form
    def action_new_goal(self) -> None:
        """Add a goal: its title."""
        from tpm_tui.services.goals import create_goal
        from tpm_tui.services.validate import title

        db, clock = self.db, self.workspace.clock

        def save(text: str) -> str:
            made = create_goal(db, clock, text)
            return f"Added {made.label} {made.title}"

        self.app.push_screen(
            LineModal("New goal", "its title; enter saves", lambda t: title(t), save), self._done
        )

    @queued
    @opens_form
    def action_add_key_result(self) -> None:
        """Add a key result to the goal under the cursor."""
        from tpm_tui.services.goals import add_key_result, parse_number

        goal = self._goal_under_cursor()
        if goal is None:
            self.notify("Put the cursor on a goal first (n adds one).", severity="warning")
            return
        db, clock = self.db, self.workspace.clock

        def check(text: str) -> str:
            name, base, target, unit = parse_key_result(text)
            start, end = parse_number(base, "baseline"), parse_number(target, "target")
            if start == end:
                raise InvalidInput("the target is the baseline: nothing could move")
            return f"{name}: {base} {unit} → {target} {unit}".replace("  ", " ")

        def save(text: str) -> str:
            name, base, target, unit = parse_key_result(text)
            kr = add_key_result(db, clock, goal.id, name, base, target, unit)
            return f"Added KR{kr.id} {kr.title} to {goal.label}"

        self.app.push_screen(
            LineModal(
                f"Key result for {goal.label} {goal.title}",
                "TITLE: BASELINE -> TARGET [UNIT], e.g. Activation rate: 12 -> 25 %",
                check,
                save,
            ),
            self._done,
        )

    @queued
    @opens_form
    def action_record_value(self) -> None:
        """Record today's value of the key result under the cursor."""
        from tpm_tui.services.goals import parse_number, record_value

        selected = self.selected_id() or ""
        if not selected.startswith("k"):
            self.notify("Put the cursor on a key result first.", severity="warning")
            return
        kr_id = int(selected[1:])
        db, clock = self.db, self.workspace.clock

        def save(text: str) -> str:
            kr, measured = record_value(db, clock, kr_id, text)
            self.undo.push(ValueRecorded(measured.id, kr_id))
            return f"KR{kr_id} {kr.title}: {kr.shown(measured.value)} today ({kr.progress:.0f} %)"

        self.app.push_screen(
            LineModal(
                f"Today's value of KR{kr_id}",
                "a number; every value is kept (u undoes)",
                lambda t: f"{parse_number(t, 'value'):g}",
                save,
            ),
            self._done,
        )

    @queued
    def action_prd(self) -> None:
        """Open the PRD of the epic under the cursor."""
        from tpm_tui.screens.prd import open_prd

        selected = self.selected_id() or ""
        if not selected.startswith("e"):
            self.notify("Put the cursor on an epic first.", severity="warning")
            return
        open_prd(self, int(selected[1:]))

    @queued
    def action_vision(self) -> None:
        """Write the product vision."""
        from tpm_tui.screens.prd import open_vision

        open_vision(self)

    @queued
    def action_archive(self) -> None:
        """Archive the goal under the cursor (u brings it back)."""
        from tpm_tui.services.goals import set_goal_archived

        goal = self._goal_under_cursor()
        if goal is None:
            self.notify("Put the cursor on a goal first.", severity="warning")
            return
        clock = self.workspace.clock

        def write(db: Database) -> GoalView:
            return set_goal_archived(db, clock, goal.id, True)

        def done(_: GoalView) -> None:
            self.undo.push(GoalArchived(goal.id))
            self._done(f"Archived {goal.label} {goal.title} (u brings it back)")

        self.save(f"archive of {goal.label}", write, done)

    @queued
    def action_undo(self) -> None:
        """Take back the last value recorded or goal archived."""
        clock = self.workspace.clock

        def write(db: Database) -> str:
            step, _ = self.undo.undo(db, clock)
            return f"Undid the {step.label}"

        self.save("undo", write, self._done)
