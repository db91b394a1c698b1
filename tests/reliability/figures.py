"""Figures the reliability tests collect; printed at the end of the run."""

from __future__ import annotations

FIGURES: dict[str, str] = {}


def record(name: str, value: str) -> None:
    """Note one figure (e.g. kills survived / tried)."""
    FIGURES[name] = value
    print(f"{name}: {value}")
