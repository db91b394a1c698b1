"""The dialect layer: the few SQL expressions that differ between SQLite and
PostgreSQL (date and duration maths), written once as SQLAlchemy constructs with one
compilation per dialect. Services and statements use these, never a dialect's own
function by name."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable, FunctionElement


class seconds_between(FunctionElement[float]):
    """Seconds from `start` to `end` (two timestamps), as a number."""

    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)}))::float8"
    )


class whole_seconds(FunctionElement[int]):
    """Whole seconds from `start` to `end`, rounded half up, as an integer on every
    engine (SQLite's round() and PostgreSQL's disagree on halves; this does not)."""

    type = sa.Integer()
    inherit_cache = True
    name = "whole_seconds"


@compiles(whole_seconds, "sqlite")
def _whole_sqlite(element: whole_seconds, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"CAST(round({compiler.process(seconds_between(end, start), **kw)}) AS INTEGER)"


@compiles(whole_seconds, "postgresql")
def _whole_postgresql(element: whole_seconds, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    exact = f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
    return f"CAST(sign({exact}) * floor(abs({exact}) + 0.5) AS INTEGER)"


class all_words_match(FunctionElement[bool]):
    """all_words_match(patterns, column, ...): every LIKE pattern of a JSON list
    parameter matches at least one of the columns (lower-cased) — the board filter's
    free words, any number of them, in one static statement."""

    type = sa.Boolean()
    inherit_cache = True
    name = "all_words_match"


def _words_sql(element: all_words_match, compiler: Any, source: str, **kw: Any) -> str:
    _patterns, *columns = list(element.clauses)
    tests = " OR ".join(
        f"lower({compiler.process(c, **kw)}) LIKE w.value ESCAPE '\\'" for c in columns
    )
    return f"(NOT EXISTS (SELECT 1 FROM {source} WHERE NOT ({tests})))"


@compiles(all_words_match, "sqlite")
def _words_sqlite(element: all_words_match, compiler: Any, **kw: Any) -> str:
    patterns = next(iter(element.clauses))
    return _words_sql(
        element, compiler, f"json_each({compiler.process(patterns, **kw)}) AS w", **kw
    )


@compiles(all_words_match, "postgresql")
def _words_postgresql(element: all_words_match, compiler: Any, **kw: Any) -> str:
    patterns = compiler.process(next(iter(element.clauses)), **kw)
    source = f"json_array_elements_text(CAST({patterns} AS json)) AS w(value)"
    return _words_sql(element, compiler, source, **kw)


class defer_foreign_keys(Executable, ClauseElement):
    """Check foreign keys at commit, not row by row, for the rest of the transaction
    (a whole-workspace import writes rows in any order). PostgreSQL's keys are not
    deferrable: there the import's parents-first order is what keeps them."""

    inherit_cache = True


@compiles(defer_foreign_keys, "sqlite")
def _defer_sqlite(element: defer_foreign_keys, compiler: Any, **kw: Any) -> str:
    return "PRAGMA defer_foreign_keys=ON"


@compiles(defer_foreign_keys, "postgresql")
def _defer_postgresql(element: defer_foreign_keys, compiler: Any, **kw: Any) -> str:
    return "SET CONSTRAINTS ALL DEFERRED"


class ids_follow_rows(Executable, ClauseElement):
    """After rows were written with their own ids (an import): the next id a table
    hands out follows the highest one stored. SQLite does so by itself; a PostgreSQL
    sequence has to be moved."""

    inherit_cache = False

    def __init__(self, table: sa.Table) -> None:
        self.table = table


@compiles(ids_follow_rows, "sqlite")
def _ids_sqlite(element: ids_follow_rows, compiler: Any, **kw: Any) -> str:
    return "SELECT 1"


@compiles(ids_follow_rows, "postgresql")
def _ids_postgresql(element: ids_follow_rows, compiler: Any, **kw: Any) -> str:
    name = compiler.preparer.format_table(element.table)
    literal = name.replace("'", "''")
    return (
        f"SELECT setval(pg_get_serial_sequence('{literal}', 'id'), "
        f"coalesce(max(id), 0) + 1, false) FROM {name}"
    )
