"""The two executors of compiled statements. Services call `rows`, `row`, `scalar`,
`run` and `many` on whichever they are handed and never know which it is:

- SqliteExecutor runs the compiled SQLite text on a standard-library connection,
  converting parameters and results exactly as SQLAlchemy's types would;
- AlchemyExecutor runs the original SQLAlchemy statements on a SQLAlchemy connection
  (servers, migrations, and the equivalence tests).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from tpm_tui.sql.stmt import Stmt

# Not `typing.TYPE_CHECKING`: importing typing costs `tpm status --short` time it has not
# got (mypy treats any name TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Any

    from sqlalchemy.engine import Connection

    Row = tuple[Any, ...]
    Convert = Callable[[Any], Any]


class Executor:
    """Runs statements inside one transaction (opened and closed by the database).
    `context` holds values of the session every statement that asks for them gets
    unless the call gives its own: `person`, who the entries written belong to, and
    `whose`, which entries are read (null: everyone's) — team mode."""

    def __init__(self, context: Mapping[str, Any] | None = None) -> None:
        self.context = dict(context or {})

    def _with_context(self, stmt: Stmt, params: Mapping[str, Any]) -> dict[str, Any]:
        wanted = {name for name, _kind in stmt.params}
        merged = {k: v for k, v in self.context.items() if k in wanted}
        merged.update(params)
        return merged

    def _rows(self, stmt: Stmt, params: Mapping[str, Any]) -> list[Row]:
        raise NotImplementedError

    def _run(self, stmt: Stmt, params: Mapping[str, Any]) -> int:
        raise NotImplementedError

    def _many(self, stmt: Stmt, rows: Sequence[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def run(self, stmt: Stmt, /, **params: Any) -> int:
        """Execute a statement that returns no rows; the number of rows it touched."""
        return self._run(stmt, self._with_context(stmt, params))

    def many(self, stmt: Stmt, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute a statement once per parameter set (bulk inserts)."""
        self._many(stmt, [self._with_context(stmt, row) for row in rows])

    def rows(self, stmt: Stmt, /, **params: Any) -> list[Row]:
        """Every row of a query, values converted."""
        return self._rows(stmt, self._with_context(stmt, params))

    def row(self, stmt: Stmt, /, **params: Any) -> Row | None:
        """The first row, or None."""
        found = self.rows(stmt, **params)
        return found[0] if found else None

    def record(self, stmt: Stmt, /, **params: Any) -> dict[str, Any] | None:
        """The first row as a dict keyed by the columns' names, or None."""
        found = self.rows(stmt, **params)
        return dict(zip(stmt.names, found[0], strict=True)) if found else None

    def scalar(self, stmt: Stmt, /, **params: Any) -> Any:
        """The first column of the first row, or None."""
        found = self.rows(stmt, **params)
        return found[0][0] if found else None

    def raw_rows(self, stmt: Stmt, /, **params: Any) -> list[Row]:
        """Every row of a query as the driver gives it, unconverted where converting
        costs (`converted` finishes one): for a reader that keeps what it made of rows
        it has seen, and converts only rows that changed."""
        return self._rows(stmt, self._with_context(stmt, params))

    def converted(self, stmt: Stmt, raw: Row) -> Row:
        """A row of `raw_rows` as `rows` gives it."""
        return raw


# ---------------------------------------------------------------- stdlib sqlite3

# SQLAlchemy's storage format for DateTime on SQLite (UTC, no offset).
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _bind_datetime(value: datetime) -> str:
    if value.utcoffset() is None:
        raise ValueError("datetime values must be aware (have a time zone)")
    return value.astimezone(UTC).strftime(_DATETIME_FORMAT)


def _bind_date(value: date) -> str:
    return value.isoformat()


def _result_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        # Stored as UTC without an offset: parsed with one in a single call (a
        # replace(tzinfo=UTC) afterwards cost five times the parse; a board's first read
        # converts three dates a card, 15,000 at 5,000 cards).
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # a value that carries an offset already: read as it always was
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _result_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _result_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _optional(convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        return None if value is None else convert(value)

    return run


_BIND: dict[str, Convert] = {
    "datetime": _optional(_bind_datetime),
    "date": _optional(_bind_date),
    "bool": _optional(int),
}
_RESULT: dict[str, Convert] = {
    "datetime": _result_datetime,
    "date": _result_date,
    "bool": _result_bool,
}
_POSTCOMPILE = r"__\[POSTCOMPILE_(\w+)\]"
# What SQLAlchemy renders for `IN ()` on SQLite: a subquery with no rows.
_EMPTY_IN = "SELECT 1 FROM (SELECT 1) WHERE 1!=1"


class _Prepared:
    """A statement's converters, worked out once per process."""

    __slots__ = ("binds", "constants", "expanding", "results")

    def __init__(self, stmt: Stmt) -> None:
        self.constants = dict(stmt.constants)
        self.binds: list[tuple[str, Convert]] = []
        self.expanding: dict[str, Convert | None] = {
            name: None for name, value in stmt.constants if isinstance(value, tuple)
        }
        for name, kind in stmt.params:
            if kind.startswith("list:"):
                self.expanding[name] = _BIND.get(kind[5:])
            elif kind in _BIND:
                self.binds.append((name, _BIND[kind]))
        converters = [_RESULT.get(kind) for kind in stmt.columns]
        self.results: list[tuple[int, Convert]] | None = [
            (i, c) for i, c in enumerate(converters) if c is not None
        ] or None


_PREPARED: dict[str, _Prepared] = {}


def _prepared(stmt: Stmt) -> _Prepared:
    found = _PREPARED.get(stmt.name)
    if found is None:
        found = _PREPARED[stmt.name] = _Prepared(stmt)
    return found


def _convert(raw: Row, results: list[tuple[int, Convert]]) -> Row:
    values = list(raw)
    for index, convert in results:
        values[index] = convert(values[index])
    return tuple(values)


class SqliteExecutor(Executor):
    """Compiled SQLite text on a standard-library connection."""

    def __init__(
        self, connection: sqlite3.Connection, context: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(context)
        self.connection = connection

    def _sql_and_args(self, stmt: Stmt, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        prepared = _prepared(stmt)
        args = {**prepared.constants, **params}
        for name, convert in prepared.binds:
            if name in args:
                args[name] = convert(args[name])
        sql = stmt.sqlite
        if prepared.expanding:
            sql = self._expand(sql, args, prepared.expanding)
        return sql, args

    @staticmethod
    def _expand(sql: str, args: dict[str, Any], expanding: dict[str, Convert | None]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match[1]
            values: Iterable[Any] = args.pop(name)
            convert = expanding[name]
            names = []
            for index, value in enumerate(values):
                key = f"{name}_{index + 1}"
                args[key] = convert(value) if convert is not None else value
                names.append(f":{key}")
            return ", ".join(names) if names else _EMPTY_IN

        import re

        return re.sub(_POSTCOMPILE, one, sql)

    def _rows(self, stmt: Stmt, params: Mapping[str, Any]) -> list[Row]:
        sql, args = self._sql_and_args(stmt, params)
        found = self.connection.execute(sql, args).fetchall()
        results = _prepared(stmt).results
        if results is None:
            return found
        return [_convert(raw, results) for raw in found]

    def raw_rows(self, stmt: Stmt, /, **params: Any) -> list[Row]:
        """Every row as sqlite3 gives it (dates and times still text)."""
        sql, args = self._sql_and_args(stmt, self._with_context(stmt, params))
        return self.connection.execute(sql, args).fetchall()

    def converted(self, stmt: Stmt, raw: Row) -> Row:
        """A row of `raw_rows` with its dates, times and booleans converted."""
        results = _prepared(stmt).results
        return raw if results is None else _convert(raw, results)

    def _run(self, stmt: Stmt, params: Mapping[str, Any]) -> int:
        sql, args = self._sql_and_args(stmt, params)
        return self.connection.execute(sql, args).rowcount

    def _many(self, stmt: Stmt, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        prepared = _prepared(stmt)
        if prepared.expanding:
            for params in rows:
                self._run(stmt, params)
            return
        converted = []
        for params in rows:
            args = {**prepared.constants, **params}
            for name, convert in prepared.binds:
                if name in args:
                    args[name] = convert(args[name])
            converted.append(args)
        self.connection.executemany(stmt.sqlite, converted)


# ---------------------------------------------------------------- SQLAlchemy


class AlchemyExecutor(Executor):
    """The original SQLAlchemy statements on a SQLAlchemy connection."""

    def __init__(self, connection: Connection, context: Mapping[str, Any] | None = None) -> None:
        super().__init__(context)
        self.connection = connection

    @staticmethod
    def _statement(stmt: Stmt) -> Any:
        from tpm_tui.sql.statements import built

        return built(stmt.name)

    def _rows(self, stmt: Stmt, params: Mapping[str, Any]) -> list[Row]:
        result = self.connection.execute(self._statement(stmt), dict(params))
        return [tuple(row) for row in result]

    def _run(self, stmt: Stmt, params: Mapping[str, Any]) -> int:
        return int(self.connection.execute(self._statement(stmt), dict(params)).rowcount)

    def _many(self, stmt: Stmt, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.connection.execute(self._statement(stmt), [dict(r) for r in rows])
