"""The command palette (ctrl+p) on every screen: every key of every screen and of the
app as a named action, the screen switches, and a jump to any item by id or title.
Actions rank before items, so `log` finds "Log time" before a story about logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tpm_tui.screens.base import WorkspaceScreen

if TYPE_CHECKING:
    from tpm_tui.app import TpmApp

# Names that say more than the footer's one word (which must stay short).
LONGER_NAMES = {
    "quick_log": "Log time",
    "start_timer": "Start timer",
    "stop_timer": "Stop timer",
    "help": "Help: every key of this screen",
}
SCREEN_NAMES = {
    "board": "Board",
    "roadmap": "Roadmap",
    "time": "Time",
    "week": "Week",
    "sprint": "Sprint",
    "goals": "Goals",
}
ACTION_FLOOR = 0.5  # action scores live in (0.5, 1], item scores in (0, 0.5]


@dataclass(frozen=True)
class Command:
    """One entry of the palette."""

    name: str
    help: str
    run: Callable[[], Awaitable[None] | None]
    discover: bool = True  # listed before anything is typed


def _keys(app: TpmApp, binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return ", ".join(app.get_key_display(Binding(k, "")) for k in binding.key.split(","))


def commands(app: TpmApp, screen: object) -> list[Command]:
    """Every action the palette offers from `screen`: its own keys, the app's keys, the
    screen switches, then the other screens' keys (which switch first)."""
    out: list[Command] = []
    seen: set[str] = set()
    from tpm_tui.app import screen_class

    screens = {mode: screen_class(mode) for mode in app.MODES}
    current = next((mode for mode, s in screens.items() if isinstance(screen, s)), None)

    def add(command: Command) -> None:
        if command.name not in seen:
            seen.add(command.name)
            out.append(command)

    def runner(target: str | None, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if target is not None and target != current:
                await app.switch_mode(target)
            await app.screen.run_action(action)

        return run

    own = type(screen).BINDINGS if isinstance(screen, WorkspaceScreen) else []
    for binding in [*own, *app.BINDINGS]:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if binding.action.startswith("switch_mode("):
            mode = binding.action.split("'")[1]
            name = SCREEN_NAMES.get(mode, binding.description)
            add(
                Command(
                    name,
                    f"Switch to the {name.lower()} screen ({_keys(app, binding)})",
                    runner(None, f"app.{binding.action}"),
                )
            )
            continue
        name = LONGER_NAMES.get(binding.action, binding.description)
        action = binding.action if binding in own else f"app.{binding.action}"
        add(Command(name, f"key {_keys(app, binding)}", runner(None, action), binding.show))
    for mode, screen_type in screens.items():
        if mode == current:
            continue
        label = SCREEN_NAMES.get(mode, mode.title())
        for binding in screen_type.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                add(
                    Command(
                        f"{label}: {binding.description}",
                        f"on the {label.lower()} screen, key {_keys(app, binding)}",
                        runner(mode, binding.action),
                        discover=False,
                    )
                )
    return out


class TpmCommands(Provider):
    """Every action of every screen, and a jump to any item (which opens the board)."""

    async def startup(self) -> None:
        """Read the items to jump to (ids, kinds and titles: a few ms for thousands)."""
        self.items: list[tuple[int, str, str]] = []
        screen = self.screen
        if isinstance(screen, WorkspaceScreen) and screen.ready:
            from tpm_tui.services import backlog

            found = backlog.list_items(screen.db)
            self.items = [(i.id, i.kind.value, i.title) for i in found]

    @property
    def tpm(self) -> TpmApp:
        """The app, typed."""
        return cast("TpmApp", self.app)

    def _jump(self, item_id: int) -> Callable[[], Awaitable[None]]:
        app = self.tpm

        async def run() -> None:
            from tpm_tui.screens.board import BoardScreen

            await app.switch_mode("board")
            board = app.screen
            if isinstance(board, BoardScreen):
                board.jump_to(item_id)

        return run

    async def discover(self) -> Hits:
        """The current screen's main keys and the screen switches."""
        for command in commands(self.tpm, self.screen):
            if command.discover:
                yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        """Actions, then items, matching what is typed (`#12` finds item 12)."""
        matcher = self.matcher(query)
        for command in commands(self.tpm, self.screen):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    ACTION_FLOOR + score * (1 - ACTION_FLOOR),
                    matcher.highlight(command.name),
                    command.run,
                    text=command.name,
                    help=command.help,
                )
        for item_id, kind, title in getattr(self, "items", []):
            name = f"#{item_id} {title}"
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score * ACTION_FLOOR,
                    matcher.highlight(name),
                    self._jump(item_id),
                    text=name,
                    help=f"Jump to this {kind} on the board",
                )
