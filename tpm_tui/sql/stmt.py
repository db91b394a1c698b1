"""A compiled statement: plain data, importable without SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stmt:
    """One named statement, compiled for each dialect, with the kinds of its parameters
    and result columns (`int`, `str`, `bool`, `float`, `date`, `datetime`, `any`; a list
    parameter is `list:<kind>`), so an executor can convert values exactly as SQLAlchemy
    would; `constants` are the literal values SQLAlchemy bound itself (`kind = 'epic'`),
    by the names the compiled text gives them; `names` are the result columns' labels."""

    name: str
    sqlite: str
    postgresql: str
    params: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    constants: tuple[tuple[str, object], ...] = ()
    names: tuple[str, ...] = ()
