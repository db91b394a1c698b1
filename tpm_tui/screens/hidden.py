"""A mode's screen built ahead, while the app is idle, and not shown (see ahead.py).

Textual has no public way to do it: these two functions use what Textual 8.2 does
privately on a mode's first switch (App._screen_stacks, App._init_mode) and when a
screen is shown (Screen._refresh_layout, Screen._compositor). They are the only place
that does; tests/tui/test_prebuild.py fails if Textual changes them, and without them
(an attribute gone) nothing is built ahead: every screen is built on its first switch,
as before."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen

# What is done to a screen built ahead once it has its data, one step per idle moment
# (each a single stretch of the UI thread): what its first showing did, on the screen
# as it will be shown, so that showing it only draws what changed since (as the second
# showing of a screen does). Styled: the widgets made after the mount (scroll bars) get
# their styles; laid out: every widget sized with the data in it (twice: a widget whose
# size the first layout changed, as the timer badge, asks for another); painted: every
# widget renders its lines once (they are kept until the widget changes).
STEPS = ("style", "layout", "layout", "paint")


def mount_hidden(app: App[Any], mode: str) -> Screen[Any] | None:
    """Create and mount `mode`'s first screen without showing it: Textual's first
    `switch_mode` to the mode, less the switch (composed, styled and mounted; its
    mount reads its data; the switch then finds it). None if the mode has a screen
    already, or if Textual lacks what this uses."""
    stacks = getattr(app, "_screen_stacks", None)
    init = getattr(app, "_init_mode", None)
    if not isinstance(stacks, dict) or not callable(init) or mode in stacks:
        return None
    init(mode)
    stack = stacks.get(mode)
    return stack[0] if stack else None


def prepare_hidden(screen: Screen[Any], step: str) -> bool:
    """Do one of STEPS to a screen built ahead and not shown; False if Textual lacks
    what it uses (nothing done)."""
    if step == "style":
        screen.update_node_styles(animate=False)
        return True
    if step == "layout":
        lay_out = getattr(screen, "_refresh_layout", None)
        dirty = getattr(screen, "_dirty_widgets", None)
        if not callable(lay_out) or not isinstance(dirty, set):
            return False
        lay_out(screen.app.size)  # (drawn only if the screen is current: it is not)
        # What the layouts the screen asked for while hidden would do: done now, they
        # are no longer asked for (each would lay it out and draw it again when shown).
        screen._layout_required = False
        dirty.clear()
        return True
    compositor = getattr(screen, "_compositor", None)
    render = getattr(compositor, "render_update", None)
    if not callable(render):
        return False
    render(full=True)  # the lines are kept by each widget; the update is dropped
    return True
