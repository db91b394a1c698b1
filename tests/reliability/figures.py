"""Figures the reliability tests collect; printed at the end of the run.

Tests may run in several worker processes (pytest-xdist): each figure is appended as
one JSON line to a file the main process names in FIGURES_ENV before the workers
start, and read back for the summary. Without that file (a plain run of one module)
they are kept in this process."""

from __future__ import annotations

import json
import os
from pathlib import Path

FIGURES_ENV = "TPM_TEST_FIGURES"
FIGURES: dict[str, str] = {}


def record(name: str, value: str) -> None:
    """Note one figure (e.g. kills survived / tried)."""
    FIGURES[name] = value
    print(f"{name}: {value}")
    target = os.environ.get(FIGURES_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:  # one short append per figure
            out.write(json.dumps([name, value]) + "\n")


def collected() -> dict[str, str]:
    """Every figure of the run, from all its processes, in the order recorded."""
    target = os.environ.get(FIGURES_ENV)
    if not target or not Path(target).exists():
        return dict(FIGURES)
    figures: dict[str, str] = {}
    for line in Path(target).read_text(encoding="utf-8").splitlines():
        name, value = json.loads(line)
        figures[name] = value
    return figures
