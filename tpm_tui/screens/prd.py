"""The full-screen document editor (an epic's PRD, the product vision): Markdown with
highlighting and soft wrap, a live preview beside it (f2), the template's sections
still empty named in the status line, ctrl+s saves, ctrl+z undoes, esc asks before
dropping unsaved changes. It runs inside the app (`p` on an epic, `v` on the goals
screen) and on its own for `tpm prd EPIC --edit` / `tpm vision --edit` without
$EDITOR."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Markdown, Static, TextArea

from tpm_tui.errors import TpmError
from tpm_tui.screens.base import WorkspaceScreen, refusal
from tpm_tui.screens.item_form import DiscardChanges
from tpm_tui.services.documents import DocumentChanged
from tpm_tui.widgets.key_bar import KeyBar
from tpm_tui.widgets.markdown_area import MarkdownArea

CHECK_AFTER = 0.3  # seconds of no typing before the sections and preview are redrawn
FOLLOW_EVERY = 2.0  # seconds between looks for a version saved elsewhere (nothing typed)

Save = Callable[[str], str]
"""Stores the text; returns what it did ("saved the PRD of #3 …"); raises TpmError to
refuse (the editor keeps the text and shows why)."""
Check = Callable[[str], tuple[str, ...]]
"""The template's sections the text has not written yet (PRDs; None for the vision)."""
Newer = Callable[[], DocumentChanged | None]
"""A version saved elsewhere since the editor's (None: none): shown while nothing is
typed (run in a thread)."""


class DocumentEditor(Screen[str | None]):
    """Write a Markdown document. ctrl+s saves (the editor stays open), esc closes
    (asking first when something is unsaved), f2 shows the preview beside the text,
    ctrl+z / ctrl+y undo and redo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close", priority=True),
        Binding("f2", "preview", "Preview", priority=True),
        Binding("ctrl+r", "take_theirs", "Take theirs", show=False, priority=True),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        save: Save,
        check: Check | None = None,
        what: str = "the document",
        newer: Newer | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.note = note  # beside the title until the first save ("new, from the template")
        self._newer = newer
        self.doc_title = title
        self.what = what  # named when quitting would throw changes away
        self.saved_text = text
        self._save = save
        self._check = check
        self.last_said: str | None = None  # what the last save said
        self._timer: Timer | None = None
        self._preview_shown = False
        self._conflict: DocumentChanged | None = None  # a save refused, not yet answered

    def compose(self) -> ComposeResult:
        yield Static(Content(self._heading()), id="doc-title")
        with Horizontal(id="doc-panes"):
            yield MarkdownArea(self.saved_text, id="doc-text")
            # The preview's Markdown widget is mounted on the first f2 (opening a long
            # document does not wait for it).
            yield VerticalScroll(id="doc-preview-box")
        yield Static(id="doc-status")
        yield KeyBar()  # Textual's Footer rebuilt its keys several times while opening

    def on_mount(self) -> None:
        """Focus the text; the preview starts hidden (f2 shows it)."""
        self.query_one("#doc-preview-box").display = False
        self.area.cursor_blink = not self.app.is_headless  # a blink is a coin toss in a test
        self.area.focus()
        self._show_status()
        if self._newer is not None:
            self.set_interval(FOLLOW_EVERY, self._look_for_newer)

    def _look_for_newer(self) -> None:
        if not self.unsaved and self._conflict is None:
            self.run_worker(self._read_newer, thread=True, exclusive=True, group="newer")

    def _read_newer(self) -> None:
        assert self._newer is not None
        try:
            found = self._newer()
        except TpmError:
            return  # (the next look, or a save, says what is wrong)
        if found is not None:
            self.app.call_from_thread(self._show_newer, found)

    def _show_newer(self, found: DocumentChanged) -> None:
        # Typed meanwhile: not replaced (the save then says another version came).
        if self.is_mounted and not self.unsaved and self._conflict is None:
            found.rebase(found.theirs.version_id)
            self.take(found.theirs.body, f"{found}: shown (nothing was typed here)")

    def _heading(self) -> str:
        return f"{self.doc_title}  ({self.note})" if self.note else self.doc_title

    @property
    def area(self) -> MarkdownArea:
        """The text being edited."""
        return self.query_one(MarkdownArea)

    @property
    def text(self) -> str:
        """The text as it stands."""
        return self.area.text

    @property
    def unsaved(self) -> bool:
        """Whether the text differs from what was last saved (or opened)."""
        return self.area.text != self.saved_text

    def unsaved_changes(self) -> str | None:
        """What quitting now would throw away ("the PRD of #3"), or None."""
        return self.what if self.is_mounted and self.unsaved else None

    @property
    def unwritten(self) -> tuple[str, ...]:
        """The template's sections the text still leaves empty (none for the vision)."""
        return self._check(self.area.text) if self._check is not None else ()

    def _show_status(self, said: str | None = None) -> None:
        status = self.query_one("#doc-status", Static)
        conflict = self._conflict
        # A refused save's message stays until answered (typing on does not hide it).
        status.set_class(conflict is not None and not said, "-refused")
        if conflict is not None and not said:
            status.update(
                Content(
                    f"{conflict} · ctrl+s again saves yours over it · ctrl+r takes theirs "
                    "(ctrl+z then brings yours back) · your text is kept"
                )
            )
            return
        parts: list[str] = []
        if said:
            parts.append(said)
        elif self.unsaved:
            parts.append("unsaved changes (ctrl+s saves)")
        elif self.note:  # a template, never saved
            parts.append("not saved yet (ctrl+s saves)")
        else:
            parts.append("saved")
        if self._check is not None:
            left = self.unwritten
            parts.append(
                f"empty: {', '.join(left)}" if left else "every section of the template written"
            )
        status.update(Content("  ·  ".join(parts)))

    @on(TextArea.Changed)
    def _typed(self) -> None:
        # Redraw the status and preview once typing pauses: a key stays a key's work.
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_AFTER, self._settle)

    def _settle(self) -> None:
        self._timer = None
        self._show_status()
        if self._preview_shown:
            self._update_preview()

    def _update_preview(self) -> None:
        self.query_one("#doc-preview", Markdown).update(self.area.text)

    async def action_preview(self) -> None:
        """Show or hide the rendered Markdown beside the text."""
        self._preview_shown = not self._preview_shown
        box = self.query_one("#doc-preview-box")
        box.display = self._preview_shown
        if self._preview_shown:
            if not box.query(Markdown):
                await box.mount(Markdown(id="doc-preview"))
            self._update_preview()
        self.area.focus()

    def action_save(self) -> None:
        """Save; a refusal (or a busy database) is shown and the text stays. A version
        saved elsewhere since the text was opened is not overwritten: the status line
        says so, and ctrl+s again saves this text over it (ctrl+r takes theirs)."""
        text = self.area.text
        if self._conflict is not None:  # asked, and answered with ctrl+s: mine over theirs
            self._conflict.rebase(self._conflict.theirs.version_id)
            self._conflict = None
        try:
            said = self._save(text)
        except DocumentChanged as changed:
            self._conflict = changed
            self._show_status()
            # The status line says it, in the error colour, with the choices; a toast
            # covered those choices at 80 columns.
            self.app.bell()
            return
        except TpmError as error:
            self.query_one("#doc-status", Static).update(Content(refusal(error)))
            self.notify(refusal(error), severity="error", markup=False)
            return
        self.saved_text = text
        self.last_said = said
        if self.note:  # saved: no longer new
            self.note = ""
            self.query_one("#doc-title", Static).update(Content(self._heading()))
        self._show_status(said)

    def action_take_theirs(self) -> None:
        """ctrl+r after a refused save: put the other version's text in the editor (an
        edit ctrl+z undoes), as saved."""
        conflict = self._conflict
        if conflict is None:
            self.notify("Nothing to take: no other version was found on saving", timeout=3)
            return
        self._conflict = None
        conflict.rebase(conflict.theirs.version_id)
        self.take(conflict.theirs.body, f"took version {conflict.number}, saved elsewhere")

    def take(self, text: str, said: str) -> None:
        """Show `text` as the saved text (another's version), undoably."""
        area = self.area
        area.replace(text, area.document.start, area.document.end)
        self.saved_text = area.text
        self._show_status(said)

    def action_close(self) -> None:
        """Close; with unsaved changes, ask first (esc or k keeps editing)."""
        if not self.unsaved:
            self.dismiss(self.last_said)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.last_said)

        self.app.push_screen(DiscardChanges(self.what), answered)


class EditorApp(App[str | None]):
    """The editor on its own, for the command line without $EDITOR."""

    CSS_PATH = Path(__file__).parent.parent / "app.tcss"
    TITLE = "tpm"

    def __init__(self, title: str, text: str, save: Save, check: Check | None) -> None:
        super().__init__()
        self._editor = DocumentEditor(title, text, save, check)

    def on_mount(self) -> None:
        """Open the editor; its closing ends the app with what it saved."""
        self.push_screen(self._editor, self.exit)

    async def action_quit(self) -> None:
        """ctrl+q: leave, asking first when the text is unsaved."""
        from tpm_tui.screens.item_form import quit_asking

        quit_asking(self, self._editor.unsaved_changes())


def run_editor(title: str, text: str, save: Save, check: Check | None = None) -> str | None:
    """Edit `text` full screen in the terminal; returns what the last save said (None
    when nothing was saved)."""
    return EditorApp(title, text, save, check).run()


def open_prd(screen: WorkspaceScreen, epic_id: int) -> None:
    """Open an epic's PRD in the editor over `screen` (the template for a new one);
    the screen reads itself afresh when the editor closes."""
    from tpm_tui.services import prd

    db, clock = screen.db, screen.workspace.clock
    try:
        epic = prd.epic_of(db, epic_id)
        editing = prd.PrdEditing(db, clock, epic_id)
    except TpmError as error:
        screen.show_error(error)
        return

    def save(text: str) -> str:
        saved = editing.save(text)  # a version saved elsewhere meanwhile is not overwritten
        if not saved.changed:
            return "no change since the last save"
        return f"saved version {len(prd.history(db, epic_id))} ({saved.sections} sections written)"

    start, new = editing.text, editing.new
    screen.app.push_screen(
        DocumentEditor(
            f"PRD #{epic.id} {epic.title}",
            start,
            save,
            lambda text: prd.check_sections(text).unwritten,
            what=f"the PRD of #{epic.id}",
            newer=editing.newer,
            note="new, from the template" if new else "",
        )
    )


def open_vision(screen: WorkspaceScreen) -> None:
    """Open the product vision in the editor over `screen`."""
    from tpm_tui.services import goals

    db, clock = screen.db, screen.workspace.clock
    try:
        editing = goals.vision_editing(db, clock)
    except TpmError as error:
        screen.show_error(error)
        return

    def save(text: str) -> str:
        saved = editing.save(text)  # a version saved elsewhere meanwhile is not overwritten
        return "saved the vision" if saved.changed else "no change since the last save"

    screen.app.push_screen(
        DocumentEditor(
            "Vision",
            editing.text,
            save,
            what="the vision",
            newer=editing.newer,
            note="new, from the template" if editing.new else "",
        )
    )
