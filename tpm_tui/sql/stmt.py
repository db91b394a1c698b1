"""A compiled statement: plain data, importable without SQLAlchemy (and without
dataclasses, so the quickest commands stay quick)."""

from __future__ import annotations


class Stmt:
    """One named statement, compiled for each dialect, with the kinds of its parameters
    and result columns (`int`, `str`, `bool`, `float`, `date`, `datetime`, `any`; a list
    parameter is `list:<kind>`), so an executor can convert values exactly as SQLAlchemy
    would; `constants` are the literal values SQLAlchemy bound itself (`kind = 'epic'`),
    by the names the compiled text gives them; `names` are the result columns' labels."""

    __slots__ = ("columns", "constants", "name", "names", "params", "postgresql", "sqlite")

    def __init__(
        self,
        name: str,
        sqlite: str,
        postgresql: str,
        params: tuple[tuple[str, str], ...],
        columns: tuple[str, ...],
        constants: tuple[tuple[str, object], ...] = (),
        names: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.sqlite = sqlite
        self.postgresql = postgresql
        self.params = params
        self.columns = columns
        self.constants = constants
        self.names = names

    def __repr__(self) -> str:
        return f"Stmt({self.name!r})"
