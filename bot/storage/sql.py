"""Statements and rows, the same on every engine: ``?`` placeholders bound by SQLAlchemy, rows read by name or index.

Repositories write SQL with ``?`` placeholders (qmark style, as sqlite3 does). :func:`statement` turns it into a
SQLAlchemy ``text()`` clause with named parameters ``:p0``, ``:p1``..., which SQLAlchemy renders for each driver
(``?`` for aiosqlite, ``$1`` for asyncpg). Parameters are always bound, never interpolated. :class:`Record` is a row
that reads like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``row.keys()``, ``dict(row)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import TextClause, text

Params = Sequence[Any]


@lru_cache(maxsize=1024)
def statement(sql: str) -> TextClause:
    """``sql`` with each ``?`` outside quotes made the named parameter ``:p<n>`` (n from 0); other colons escaped."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append(f":p{index}")
            index += 1
            continue
        out.append("\\:" if char == ":" else char)
    return text("".join(out))


def bound(params: Params) -> dict[str, Any]:
    """The values of :func:`statement`'s named parameters."""
    return {f"p{i}": value for i, value in enumerate(params)}


class Record:
    """One result row: by index (``row[0]``) or by column name (``row["id"]``); ``keys()`` names the columns."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._values == other._values
        return isinstance(other, tuple) and self._values == other

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Record({dict(zip(self._index, self._values, strict=False))!r})"

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)


def records(keys: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Record]:
    """Rows of one result as :class:`Record` objects sharing one name index."""
    index: dict[str, int] = {}
    for i, key in enumerate(keys):
        index.setdefault(key, i)  # a repeated name reads as its first column, as sqlite3.Row does
    return [Record(row, index) for row in rows]


class Transaction(Protocol):
    """What a repository does inside ``Database.transaction()``: several statements, committed together."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a write statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run a write statement once per parameter row."""
        ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]:
        """Run a statement (a query, or a write with ``RETURNING``) and return its rows."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Record | None:
        """:meth:`fetchall`'s first row (or None)."""
        ...
