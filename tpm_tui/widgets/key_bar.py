"""The current screen's keys on one line: a light footer. Textual's Footer builds a
widget per key and rebuilds them on every screen switch and focus change (about 70 ms
here); this draws one line of text instead."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class KeyBar(Static):
    """Shows the keys the focused widget and its screen answer to, with what they do."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        """Follow the screen's bindings as focus moves."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following them."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        parts: list[str | tuple[str, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            style = "bold $footer-key-foreground" if enabled else "dim"
            parts += [(f" {key} ", style), (f"{binding.description} ", "" if enabled else "dim")]
        parts += [(" ^p ", "bold $footer-key-foreground"), ("palette", "")]
        self.update(Content.assemble(*parts), layout=False)
