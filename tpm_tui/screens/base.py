"""What every screen of the workspace shares: the header, a status line with the
running timer, the key bar, and fresh figures each time it is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from tpm_tui.widgets.timer_badge import TimerBadge

if TYPE_CHECKING:
    from tpm_tui.errors import TpmError
    from tpm_tui.workspace import Workspace


class WorkspaceScreen(Screen[None]):
    """A screen over the app's workspace. Subclasses set ICON and draw the rest, and
    implement `reload` (called whenever the screen is shown again)."""

    ICON = "▦"

    @property
    def workspace(self) -> Workspace:
        """The app's workspace."""
        return cast(Any, self.app).workspace  # type: ignore[no-any-return]

    def compose_top(self, waiting: str) -> ComposeResult:
        """The header and the status line (with the timer badge)."""
        yield Header(show_clock=False, icon=self.ICON)
        with Horizontal(id="status-bar"):
            yield Static(Content(waiting), id="status-line")
            yield TimerBadge()

    def set_status(self, content: Content) -> None:
        """Replace the status line (one line: no layout pass)."""
        self.query_one("#status-line", Static).update(content, layout=False)

    def on_mount(self) -> None:
        """Name the workspace, show the timer, read the data."""
        self.sub_title = self.workspace.name
        self.call_after_refresh(cast(Any, self.app).tick)
        self.reload(first=True)

    def on_screen_resume(self) -> None:
        """Coming back from another screen shows the timer and fresh figures."""
        cast(Any, self.app).tick()
        self.reload(first=False)

    def reload(self, first: bool) -> None:
        """Read the screen's data again (in a worker)."""

    def failed(self, error: TpmError) -> None:
        """From a worker: leave the app with the error (the command line prints it)."""
        self.app.call_from_thread(cast(Any, self.app).fail, str(error))
