"""The two executors of compiled statements. Services call `rows`, `row`, `scalar`,
`run` and `many` on whichever they are handed and never know which it is:

- SqliteExecutor runs the compiled SQLite text on a standard-library connection,
  converting parameters and results exactly as SQLAlchemy's types would;
- PsycopgExecutor runs the compiled PostgreSQL text on a psycopg connection, likewise
  (a team server: no SQLAlchemy import on that path either);
- AlchemyExecutor runs the original SQLAlchemy statements on a SQLAlchemy connection
  (migrations, and the equivalence tests).
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

    def raw(self, kind: str, value: Any) -> Any:
        """A value of a kind (`datetime`, `date`, `bool`...) as `raw_rows` gives a column
        of that kind: for a reader that compares raw values with it."""
        return value

    def driver_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of SQL written for the engine's own driver (catalogue reads, the
        doctor's checks): `%s` placeholders on a server."""
        raise NotImplementedError


# ---------------------------------------------------------------- stdlib sqlite3

# SQLAlchemy's storage format for DateTime on SQLite (UTC, no offset).
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _aware_utc(value: datetime) -> datetime:
    # As SQLModel's UTCDateTime: a naive time is refused, an aware one stored as UTC.
    if value.utcoffset() is None:
        raise ValueError("datetime values must be aware (have a time zone)")
    return value.astimezone(UTC)


def _bind_datetime(value: datetime) -> str:
    return _aware_utc(value).strftime(_DATETIME_FORMAT)


def _bind_date(value: date) -> str:
    return value.isoformat()


def _result_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    # The stored text has no offset: saying "+00:00" reads it as UTC in one call, a
    # quarter of what .replace(tzinfo=UTC) after it costs (thousands of rows a read).
    # Text written by something else (an offset of its own, a bare date) is read as
    # it always was.
    try:
        moment = datetime.fromisoformat(value + "+00:00")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not UTC:
        moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment


def _result_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _result_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _result_utc(value: Any) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _result_float(value: Any) -> float | None:
    return None if value is None else float(value)  # numeric arrives as Decimal


def _optional(convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        return None if value is None else convert(value)

    return run


_POSTCOMPILE = r"__\[POSTCOMPILE_(\w+)\]"


class _Dialect:
    """How one dialect's compiled text is run: which compiled text, the parameter and
    result conversions SQLAlchemy's types would make, how an expanded list's items are
    written, and what stands for an empty list (a subquery of no rows: false for IN,
    true for NOT IN)."""

    def __init__(
        self,
        text: Callable[[Stmt], str],
        bind: dict[str, Convert],
        result: dict[str, Convert],
        item: Callable[[str, str], str],
        empty: Callable[[str], str],
    ) -> None:
        self.text, self.bind, self.result, self.item, self.empty = text, bind, result, item, empty
        self.prepared: dict[str, _Prepared] = {}


# The casts SQLAlchemy renders on a server's expanded list items.
_PG_CAST = {"int": "INTEGER", "str": "VARCHAR", "float": "FLOAT", "date": "DATE"}

SQLITE = _Dialect(
    lambda stmt: stmt.sqlite,
    {"datetime": _optional(_bind_datetime), "date": _optional(_bind_date), "bool": _optional(int)},
    {"datetime": _result_datetime, "date": _result_date, "bool": _result_bool},
    lambda key, _kind: f":{key}",
    lambda _kind: "SELECT 1 FROM (SELECT 1) WHERE 1!=1",  # as SQLAlchemy renders `IN ()`
)
POSTGRESQL = _Dialect(
    lambda stmt: stmt.postgresql,
    {"datetime": _optional(_aware_utc)},
    {"datetime": _result_utc, "float": _result_float},
    lambda key, kind: f"%({key})s::{_PG_CAST.get(kind, 'VARCHAR')}",
    lambda kind: f"SELECT CAST(NULL AS {_PG_CAST.get(kind, 'VARCHAR')}) WHERE false",
)


class _Prepared:
    """A statement's converters for one dialect, worked out once per process."""

    __slots__ = ("binds", "constants", "expanding", "results")

    def __init__(self, stmt: Stmt, dialect: _Dialect) -> None:
        self.constants = dict(stmt.constants)
        self.binds = [
            (name, dialect.bind[kind]) for name, kind in stmt.params if kind in dialect.bind
        ]
        self.expanding: dict[str, str] = {}  # an expanded list's name -> its items' kind
        for name, value in stmt.constants:
            if isinstance(value, tuple):
                self.expanding[name] = "int" if value and isinstance(value[0], int) else "str"
        for name, kind in stmt.params:
            if kind.startswith("list:"):
                self.expanding[name] = kind[5:]
        converters = [dialect.result.get(kind) for kind in stmt.columns]
        self.results: list[tuple[int, Convert]] | None = [
            (i, c) for i, c in enumerate(converters) if c is not None
        ] or None


def _convert(raw: Row, results: list[tuple[int, Convert]]) -> Row:
    values = list(raw)
    for index, convert in results:
        values[index] = convert(values[index])
    return tuple(values)


class _CompiledExecutor(Executor):
    """Runs a dialect's compiled text on a DB-API connection of that dialect."""

    dialect: _Dialect

    def __init__(self, connection: Any, context: Mapping[str, Any] | None = None) -> None:
        super().__init__(context)
        self.connection = connection

    def _prepared(self, stmt: Stmt) -> _Prepared:
        found = self.dialect.prepared.get(stmt.name)
        if found is None:
            found = self.dialect.prepared[stmt.name] = _Prepared(stmt, self.dialect)
        return found

    def _sql_and_args(self, stmt: Stmt, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        prepared = self._prepared(stmt)
        args = {**prepared.constants, **params}
        for name, convert in prepared.binds:
            if name in args:
                args[name] = convert(args[name])
        sql = self.dialect.text(stmt)
        if prepared.expanding:
            sql = self._expand(sql, args, prepared.expanding)
        return sql, args

    def _expand(self, sql: str, args: dict[str, Any], expanding: dict[str, str]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match[1]
            values: Iterable[Any] = args.pop(name)
            kind = expanding[name]
            convert = self.dialect.bind.get(kind)
            names = []
            for index, value in enumerate(values):
                key = f"{name}_{index + 1}"
                args[key] = convert(value) if convert is not None else value
                names.append(self.dialect.item(key, kind))
            return ", ".join(names) if names else self.dialect.empty(kind)

        import re

        return re.sub(_POSTCOMPILE, one, sql)

    def _rows(self, stmt: Stmt, params: Mapping[str, Any]) -> list[Row]:
        found = self.raw_rows(stmt, **params)
        results = self._prepared(stmt).results
        if results is None:
            return found
        return [_convert(raw, results) for raw in found]

    def raw_rows(self, stmt: Stmt, /, **params: Any) -> list[Row]:
        """Every row as the driver gives it (on SQLite, dates and times still text)."""
        sql, args = self._sql_and_args(stmt, self._with_context(stmt, params))
        found: list[Row] = self.connection.execute(sql, args).fetchall()
        return found

    def converted(self, stmt: Stmt, raw: Row) -> Row:
        """A row of `raw_rows` with its dates, times and booleans converted."""
        results = self._prepared(stmt).results
        return raw if results is None else _convert(raw, results)

    def raw(self, kind: str, value: Any) -> Any:
        """The value as the dialect binds it (on SQLite a time is fixed-width UTC text,
        which sorts and compares as the time does)."""
        convert = self.dialect.bind.get(kind)
        return value if convert is None else convert(value)

    def _run(self, stmt: Stmt, params: Mapping[str, Any]) -> int:
        sql, args = self._sql_and_args(stmt, params)
        return int(self.connection.execute(sql, args).rowcount)

    def _many(self, stmt: Stmt, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self._prepared(stmt).expanding:
            for params in rows:
                self._run(stmt, params)
            return
        converted = [self._sql_and_args(stmt, params)[1] for params in rows]
        cursor = self.connection.cursor()
        try:
            cursor.executemany(self.dialect.text(stmt), converted)
        finally:
            cursor.close()


class SqliteExecutor(_CompiledExecutor):
    """Compiled SQLite text on a standard-library connection."""

    dialect = SQLITE
    connection: sqlite3.Connection

    def driver_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of SQL for sqlite3 (`?` placeholders)."""
        return self.connection.execute(sql, tuple(params)).fetchall()


class PsycopgExecutor(_CompiledExecutor):
    """Compiled PostgreSQL text on a psycopg 3 connection."""

    dialect = POSTGRESQL

    def driver_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of SQL for psycopg (`%s` placeholders)."""
        cursor = self.connection.execute(sql, tuple(params) or None)
        return [] if cursor.description is None else list(cursor.fetchall())


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

    def driver_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of SQL for the connection's driver (`%s` on psycopg, `?` on sqlite3)."""
        result = self.connection.exec_driver_sql(sql, tuple(params) or None)
        return [tuple(row) for row in result] if result.returns_rows else []
