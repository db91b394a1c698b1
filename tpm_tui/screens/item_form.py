"""The item form: every field of a work item, checked by the services on save, with
each error shown beside its field. It never closes on an error (a busy or broken
database included) nor loses what was typed, and esc asks before dropping changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from tpm_tui.errors import InvalidInput, TpmError
from tpm_tui.kinds import Kind
from tpm_tui.screens.base import refusal

if TYPE_CHECKING:
    from tpm_tui.services.backlog import Rollup

FIBONACCI = "1 2 3 5 8 13 21"


@dataclass(frozen=True)
class ParentChoice:
    """An epic or feature that can hold items."""

    id: int
    kind: Kind
    title: str

    @property
    def label(self) -> str:
        """`#3 Invoice export (feature)`."""
        return f"#{self.id} {self.title} ({self.kind.value})"


@dataclass
class FormChoices:
    """What the selects and the parent picker offer."""

    columns: list[tuple[str, str]]  # (name, key)
    sprints: list[tuple[str, int]]  # (name, id)
    parents: list[ParentChoice] = field(default_factory=list)


class FormFields(VerticalScroll, can_focus=False):
    """The form's scrolling body. It never takes the focus, so a click on the parent
    matches leaves the focus (and the matches) where they are."""


class ParentOptions(OptionList, can_focus=False):
    """The matches under the parent field. The field keeps the focus: its ↓ ↑ walk
    these, enter picks one, and Tab moves on to the next field."""


class ParentPicker(Vertical):
    """Type part of a title; matching epics (and features, for stories, bugs and debt)
    are listed below; ↓ ↑ walk them and enter (or a click) picks one."""

    def __init__(self, choices: list[ParentChoice], selected: int | None) -> None:
        super().__init__(id="parent-picker")
        self.choices = choices
        self.kind = Kind.STORY
        self.selected = selected

    def compose(self) -> ComposeResult:
        chosen = next((c for c in self.choices if c.id == self.selected), None)
        yield Input(
            value=chosen.label if chosen else "",
            placeholder="type part of an epic's or feature's title; ↓ ↑ choose, enter picks",
            compact=True,
            id="field-parent_id",
        )
        yield ParentOptions(id="parent-options", markup=False)

    def allowed(self) -> list[ParentChoice]:
        """Parents a `self.kind` item may have."""
        if self.kind is Kind.EPIC:
            return []
        if self.kind is Kind.FEATURE:
            return [c for c in self.choices if c.kind is Kind.EPIC]
        return list(self.choices)

    def set_kind(self, kind: Kind) -> None:
        """Offer the parents this kind may have."""
        self.kind = kind
        self.query_one(Input).disabled = kind is Kind.EPIC
        self._refresh(self.query_one(Input).value)

    def _refresh(self, text: str) -> None:
        if not self.query("#parent-options"):
            return  # the form is closing
        options = self.query_one(ParentOptions)
        needle = text.strip().lower()
        matches = [c for c in self.allowed() if needle in c.label.lower()][:50]
        options.set_options([Option(c.label, id=str(c.id)) for c in matches])
        chosen = next((c for c in self.allowed() if c.label == text.strip()), None)
        options.display = bool(matches) and self.query_one(Input).has_focus and chosen is None

    @on(Input.Changed, "#field-parent_id")
    def _typed(self, event: Input.Changed) -> None:
        self.selected = None
        self._refresh(event.value)

    def on_descendant_focus(self) -> None:
        """Show the matches while the field has focus."""
        self._refresh(self.query_one(Input).value)

    def on_descendant_blur(self) -> None:
        """Hide them once focus moves on."""
        self.query_one(ParentOptions).display = False

    def on_key(self, event: Any) -> None:
        """↓ ↑ in the field walk the matches (the text stays as typed)."""
        options = self.query_one(ParentOptions)
        if event.key in ("down", "up") and options.display:
            event.stop()
            event.prevent_default()
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()

    @on(Input.Submitted, "#field-parent_id")
    def _entered(self, event: Input.Submitted) -> None:
        """enter picks the match under the cursor (the first if none is)."""
        options = self.query_one(ParentOptions)
        if options.display and options.option_count:
            event.stop()
            self._pick(options.get_option_at_index(options.highlighted or 0))

    @on(OptionList.OptionSelected, "#parent-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option)

    def _pick(self, option: Option) -> None:
        chosen = next(c for c in self.choices if str(c.id) == option.id)
        self.selected = chosen.id
        field_input = self.query_one(Input)
        with field_input.prevent(Input.Changed):
            field_input.value = chosen.label
        self.query_one(ParentOptions).display = False
        self.screen.focus_next()

    def value(self) -> int | None:
        """The chosen parent id; raises InvalidInput when the text names none."""
        if self.kind is Kind.EPIC:
            return None
        text = self.query_one(Input).value.strip()
        if not text:
            return None
        allowed = self.allowed()
        if self.selected is not None and any(c.id == self.selected for c in allowed):
            return self.selected
        if text.startswith("#") and text[1:].split(" ")[0].isdigit():
            from tpm_tui.services.validate import item_id

            return item_id(text[1:].split(" ")[0])
        matches = [c for c in allowed if text.lower() in c.label.lower()]
        if len(matches) == 1:
            return matches[0].id
        what = "epic" if self.kind is Kind.FEATURE else "epic or feature"
        raise InvalidInput(
            f"no single {what} matches {text!r}: pick one from the list", "parent_id"
        )


def points_hint(kind: Kind, rollup: Rollup | None) -> str:
    """What the points field takes: the service's rule, or for an epic or a feature,
    that its points are the roll-up of the items under it."""
    from tpm_tui.services.validate import POINTS_MAX

    if kind.level < 2:
        article = "an" if kind is Kind.EPIC else "a"
        rule = f"{article} {kind.value}'s points are the roll-up of the items under it"
        if rollup is None or not rollup.items:
            return f"{rule} (none yet)"
        return f"{rule}: {rollup.total_points} pts, {rollup.done_points} done"
    return f"0–{POINTS_MAX}, a whole number, or empty (Fibonacci: {FIBONACCI})"


class DiscardChanges(ModalScreen[bool]):
    """esc on a form with unsaved changes: keep editing (esc, k) or discard them (d)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,k", "keep", "Keep editing"),
        Binding("d", "discard", "Discard"),
    ]

    def __init__(self, what: str | None = None) -> None:
        super().__init__()
        # `what`: the document being written ("the PRD of #3"); None: the form below.
        self.question = (
            "Discard the changes you made in this form?"
            if what is None
            else f"Discard the unsaved changes to {what}?"
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-box"):
            yield Static(Content(self.question))
            with Horizontal(id="discard-buttons"):
                yield Button("Keep editing  esc", variant="primary", compact=True, id="keep")
                yield Button("Discard  d", variant="error", compact=True, id="discard")

    def on_mount(self) -> None:
        """enter keeps editing (the safe choice)."""
        self.query_one("#keep", Button).focus()

    def action_keep(self) -> None:
        """Back to the form, as it was."""
        self.dismiss(False)

    def action_discard(self) -> None:
        """Close the form without saving."""
        self.dismiss(True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "discard")


class QuitUnsaved(DiscardChanges):
    """q or ctrl+q with unsaved text somewhere: quit anyway (y, enter) or stay (n, esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "keep", "Stay"),
        Binding("y", "discard", "Quit"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.question = f"Quit and throw away the unsaved changes in {what}?"

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-box"):
            yield Static(Content(self.question))
            with Horizontal(id="discard-buttons"):
                yield Button("Stay  n", compact=True, id="keep")
                yield Button("Quit  y", variant="error", compact=True, id="discard")

    def on_mount(self) -> None:
        """enter quits: the question answers a quit key."""
        self.query_one("#discard", Button).focus()


def quit_asking(app: App[Any], what: str | None) -> None:
    """Quit `app` at once when nothing is unsaved (`what` None); otherwise ask whether
    to throw `what` away (asked again, as by a second ctrl+q, it quits)."""
    if what is None or isinstance(app.screen, QuitUnsaved):
        app.exit()
        return

    def answered(leave: bool | None) -> None:
        if leave:
            app.exit()

    app.push_screen(QuitUnsaved(what), answered)


@dataclass(frozen=True)
class ConflictRow:
    """One field someone else changed while the form was open: as the form opened it,
    as they saved it, and as the form holds it now."""

    label: str
    opened: str
    theirs: str
    mine: str

    @property
    def clash(self) -> bool:
        """Whether the form changed the field too, to something else."""
        return self.mine != self.opened and self.mine != self.theirs


class ItemConflict(TpmError):
    """A save met a change someone else saved since the form opened (nothing was
    saved): `rows` shows their change field by field; `resolve(choice)` saves "mine"
    (the form as it stands), "merge" (the form's changed fields over theirs) or takes
    "theirs" (saves nothing), returning the item id."""

    def __init__(self, rows: list[ConflictRow], resolve: Callable[[str], int]) -> None:
        super().__init__("someone else saved this item since the form opened")
        self.rows = rows
        self.resolve = resolve


class ConflictScreen(ModalScreen[str | None]):
    """Someone else saved the item meanwhile: their change field by field, and a
    choice — keep mine (k), take theirs (t), merge (m) — or esc back to the form."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "choose('mine')", "Keep mine"),
        Binding("t", "choose('theirs')", "Take theirs"),
        Binding("m", "choose('merge')", "Merge"),
        Binding("escape", "choose('')", "Back to the form"),
    ]

    def __init__(self, rows: list[ConflictRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict-box"):
            yield Static(
                Content("Someone else saved this item while you were editing it:"),
                id="conflict-heading",
            )
            with Horizontal(classes="conflict-row conflict-titles"):
                yield Static("")
                for title in ("when you opened it", "theirs", "yours"):
                    yield Static(Content.styled(title, "dim"))
            for row in self.rows:
                with Horizontal(
                    classes="conflict-row", id=f"conflict-{row.label.replace(' ', '_')}"
                ):
                    yield Static(Content.styled(row.label, "bold"))
                    yield Static(Content.styled(row.opened, "dim"))
                    yield Static(Content.styled(row.theirs, "bold"))
                    yield Static(Content.styled(row.mine, "bold $warning" if row.clash else "dim"))
            yield Static(
                Content(
                    "k keeps yours (the form as it is) · t takes theirs (drops your"
                    " changes) · m merges (your changed fields, theirs elsewhere) ·"
                    " esc goes back to the form"
                ),
                id="conflict-hint",
            )
            with Horizontal(id="conflict-buttons"):
                yield Button("Keep mine  k", variant="primary", compact=True, id="mine")
                yield Button("Take theirs  t", compact=True, id="theirs")
                yield Button("Merge  m", compact=True, id="merge")

    def on_mount(self) -> None:
        """No choice is made by enter alone: the focus rests on the back-to-form key."""
        self.query_one("#merge", Button).focus()

    def action_choose(self, choice: str) -> None:
        """Answer the form (an empty choice: back to it, nothing saved)."""
        self.dismiss(choice or None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


class ItemForm(ModalScreen[int | None]):
    """New or edit: the fields of one work item. `save` gets the values and returns the
    item id, or raises InvalidInput naming the field at fault (any other refusal, such
    as a busy database, is shown under the form and everything typed stays)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        heading: str,
        initial: dict[str, Any],
        choices: FormChoices,
        save: Callable[[dict[str, Any]], int],
        rollup: Rollup | None = None,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.initial = initial
        self.choices = choices
        self.rollup = rollup
        self._save = save
        self._as_opened: dict[str, object] = {}

    def _row(
        self, label: str, name: str, widget: Widget, hint: str = "", hint_id: str | None = None
    ) -> Horizontal:
        parts: list[Widget] = [widget]
        if hint:
            parts.append(Static(Content(hint), classes="field-hint", id=hint_id))
        error = Static("", id=f"error-{name}", classes="field-error")
        error.display = False
        parts.append(error)
        return Horizontal(
            Label(label, classes="field-label"),
            Vertical(*parts, classes="field-body"),
            classes="form-row",
        )

    def compose(self) -> ComposeResult:
        v = self.initial
        sprint = v.get("sprint_id")
        with Vertical(id="form-box"):
            yield Static(Content(self.heading), id="form-heading")
            with FormFields(id="form-fields"):
                yield self._row(
                    "Kind",
                    "kind",
                    Select(
                        [(k.value, k.value) for k in Kind],
                        value=v.get("kind", Kind.STORY.value),
                        allow_blank=False,
                        compact=True,
                        id="field-kind",
                    ),
                )
                yield self._row(
                    "Title", "title", Input(v.get("title", ""), compact=True, id="field-title")
                )
                yield self._row(
                    "Points",
                    "points",
                    Input(v.get("points", ""), compact=True, id="field-points"),
                    hint=points_hint(Kind(v.get("kind", Kind.STORY.value)), self.rollup),
                    hint_id="hint-points",
                )
                yield self._row(
                    "Parent", "parent_id", ParentPicker(self.choices.parents, v.get("parent_id"))
                )
                yield self._row(
                    "Column",
                    "status",
                    Select(
                        self.choices.columns,
                        value=v["status"],
                        allow_blank=False,
                        compact=True,
                        id="field-status",
                    ),
                )
                yield self._row(
                    "Sprint",
                    "sprint_id",
                    Select(
                        self.choices.sprints,
                        value=sprint if sprint is not None else Select.NULL,
                        prompt="no sprint",
                        compact=True,
                        id="field-sprint_id",
                    ),
                )
                yield self._row(
                    "Owner", "owner", Input(v.get("owner", ""), compact=True, id="field-owner")
                )
                for name, label in (("start_date", "Start"), ("target_date", "Target")):
                    yield self._row(
                        label,
                        name,
                        Input(
                            v.get(name, ""),
                            placeholder="YYYY-MM-DD",
                            compact=True,
                            id=f"field-{name}",
                        ),
                    )
                yield self._row(
                    "Description",
                    "description",
                    TextArea(v.get("description", ""), id="field-description", soft_wrap=True),
                    hint="Markdown; an epic's description is its PRD",
                )
                yield self._row(
                    "Acceptance",
                    "acceptance",
                    TextArea(v.get("acceptance", ""), id="field-acceptance", soft_wrap=True),
                )
            form_error = Static("", id="error-form", classes="field-error")
            form_error.display = False
            yield form_error
            with Horizontal(id="form-buttons"):
                yield Button("Save  ctrl+s", variant="primary", compact=True, id="form-save")
                yield Button("Cancel  esc", compact=True, id="form-cancel")

    def on_mount(self) -> None:
        """Offer the parents this kind may have; no blinking cursor when nobody watches;
        note the fields as opened (esc asks only if they changed)."""
        blink = not self.app.is_headless
        for widget in self.query(Input):
            widget.cursor_blink = blink
        for area in self.query(TextArea):
            area.cursor_blink = blink
        if self.query(ParentPicker):  # (absent only while the app is quitting)
            self._set_kind(Kind(self.initial.get("kind", Kind.STORY.value)))
        self.query_one("#field-title", Input).focus()
        self._as_opened = self._raw()

    def _raw(self) -> dict[str, object]:
        """Every field's text or choice, as it stands."""
        raw: dict[str, object] = {}
        for widget in self.query("Input, Select, TextArea"):
            if widget.id is None or not widget.id.startswith("field-"):
                continue
            if isinstance(widget, TextArea):
                raw[widget.id] = widget.text
            elif isinstance(widget, (Input, Select)):
                raw[widget.id] = widget.value
        return raw

    def _set_kind(self, kind: Kind) -> None:
        """Epics and features take their points from the items under them."""
        self.query_one(ParentPicker).set_kind(kind)
        points = self.query_one("#field-points", Input)
        rolled_up = kind.level < 2
        if rolled_up:
            with points.prevent(Input.Changed):
                points.value = ""
            self._field_error("points", None)
        points.disabled = rolled_up
        self.query_one("#hint-points", Static).update(Content(points_hint(kind, self.rollup)))

    @on(Select.Changed, "#field-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self._set_kind(Kind(str(event.value)))

    @on(Input.Changed, "#field-points")
    def _points_typed(self, event: Input.Changed) -> None:
        """Check the points as they are typed, by the service's own rule."""
        from tpm_tui.services.validate import points

        try:
            points(event.value.strip())
        except InvalidInput as error:
            self._field_error("points", str(error))
            return
        self._field_error("points", None)

    def _field_error(self, name: str, message: str | None) -> None:
        box = self.query_one(f"#error-{name}", Static)
        box.display = message is not None
        if message is not None:
            box.update(Content(message))

    def values(self) -> dict[str, Any]:
        """What the form holds now (parent resolved; may raise InvalidInput)."""
        sprint = self.query_one("#field-sprint_id", Select).value
        kind = Kind(str(self.query_one("#field-kind", Select).value))
        return {
            "kind": kind,
            "title": self.query_one("#field-title", Input).value,
            "points": None
            if kind.level < 2
            else self.query_one("#field-points", Input).value.strip() or None,
            "status": str(self.query_one("#field-status", Select).value),
            "sprint_id": None if sprint is Select.NULL else int(str(sprint)),
            "parent_id": self.query_one(ParentPicker).value(),
            "owner": self.query_one("#field-owner", Input).value,
            "start_date": self.query_one("#field-start_date", Input).value.strip(),
            "target_date": self.query_one("#field-target_date", Input).value.strip(),
            "description": self.query_one("#field-description", TextArea).text,
            "acceptance": self.query_one("#field-acceptance", TextArea).text,
        }

    def show_error(self, error: TpmError) -> None:
        """Put the message beside its field (or under the form) and focus the field."""
        for static in self.query(".field-error").results(Static):
            static.display = False
        name = error.field if isinstance(error, InvalidInput) and error.field else "form"
        target = self.query(f"#error-{name}")
        box = target.first(Static) if target else self.query_one("#error-form", Static)
        box.update(Content(refusal(error)))
        box.display = True
        field_widget = self.query(f"#field-{name}")
        if field_widget:
            field_widget.first().focus()

    def action_save(self) -> None:
        """Save through the services; stay open with the error shown if they refuse or
        the database cannot take the write."""
        try:
            item_id = self._save(self.values())
        except ItemConflict as conflict:  # someone saved meanwhile: ask, never overwrite
            self._ask(conflict)
            return
        except TpmError as error:  # a busy or broken database too: the form keeps its text
            self.show_error(error)
            return
        self.dismiss(item_id)

    def _ask(self, conflict: ItemConflict) -> None:
        """Show the other change and act on the answer (esc: back to the form as it is)."""

        def answered(choice: str | None) -> None:
            if choice is None:
                return
            try:
                item_id = conflict.resolve(choice)
            except ItemConflict as again:  # yet another save meanwhile
                self._ask(again)
                return
            except TpmError as error:
                self.show_error(error)
                return
            self.dismiss(item_id)

        self.app.push_screen(ConflictScreen(conflict.rows), answered)

    def unsaved_changes(self) -> str | None:
        """What quitting now would throw away ("the item form"), or None."""
        if not self._as_opened or self._raw() == self._as_opened:
            return None
        return "the item form"

    def action_cancel(self) -> None:
        """Close without saving; if anything was changed, ask first."""
        if self.unsaved_changes() is None:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardChanges(), answered)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
