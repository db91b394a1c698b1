"""TpmApp: the screens as modes, the keys every screen shares, and the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tpm_tui.screens.board import BoardCommands, BoardScreen
from tpm_tui.screens.help import HelpScreen
from tpm_tui.workspace import Workspace


class TpmApp(App[None]):
    """The tpm terminal workspace. It takes its workspace (database location and clock)
    as an argument, so the CLI, `tpm demo` and the tests build it the same way."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "tpm"
    MODES: ClassVar = {"board": BoardScreen}
    COMMANDS = App.COMMANDS | {BoardCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('board')", "Board", tooltip="The backlog board"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, workspace: Workspace, mode: str = "board") -> None:
        super().__init__()
        self.workspace = workspace
        self.start_mode = mode
        self.failure: str | None = None
        self.sub_title = workspace.name

    def on_mount(self) -> None:
        """Open on the requested screen."""
        self.switch_mode(self.start_mode)

    def fail(self, message: str) -> None:
        """Leave with an error the command line prints (e.g. a database it cannot open)."""
        self.failure = message
        self.exit(return_code=1)

    def action_help(self) -> None:
        """Show every key of the current screen, with what it does."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for owner in (self.screen, self):
            for binding in owner.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = ", ".join(
                    self.get_key_display(Binding(k, "")) for k in binding.key.split(",")
                )
                if keys not in seen:
                    seen.add(keys)
                    rows.append((keys, binding.description))
        rows.append(("ctrl+p", "Command palette: every action, and jump to an item"))
        self.push_screen(HelpScreen(self.screen.__class__.__doc__ or "", rows))

    def on_unmount(self) -> None:
        """Release the database."""
        self.workspace.close()
