"""What the roadmap looks like at 80x24 and in a light theme (the 120x40 dark ones are
in test_snapshots.py). Look at the SVGs before `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.tui.test_snapshots import _roadmap_at, _seed_roadmap
from tpm_tui.app import TpmApp
from tpm_tui.clock import Clock
from tpm_tui.db import Database


def test_roadmap_at_80x24(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_roadmap(db, clock)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_roadmap_at(0))


def test_roadmap_in_a_light_theme(
    snap_compare: Any, db: Database, clock: Clock, make_app: Callable[..., TpmApp]
) -> None:
    _seed_roadmap(db, clock)

    async def light(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await _roadmap_at(0)(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=light)
