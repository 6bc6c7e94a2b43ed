"""Where SQLite and PostgreSQL SQL differ, in one place: repositories ask their :class:`Dialect` for these fragments.

Everything else is written once: ``?`` placeholders (see :mod:`bot.storage.sql`), ``ON CONFLICT ... DO NOTHING /
DO UPDATE``, ``RETURNING``, ``IS DISTINCT FROM``, ISO-8601 timestamps as TEXT written by Python (they sort as text),
JSON stored as TEXT. The fragments here cover JSON arrays read in SQL, building JSON in SQL, two-argument maximum,
and serializing transactions that read then write (SQLite has one writer; PostgreSQL takes an advisory lock). The
schema's own differences (identity columns, BIGINT snowflakes) live in the Alembic baseline.
"""

from __future__ import annotations

from collections.abc import Sequence


class Dialect:
    """SQLite's spelling (the default engine); :class:`PostgresDialect` overrides what PostgreSQL spells otherwise."""

    name = "sqlite"

    def json_rows(self, json_text: str, alias: str) -> str:
        """A FROM item over the elements of a JSON array held as TEXT; each row's ``<alias>.value`` is the element
        (as text on PostgreSQL; strings compare the same on both)."""
        return f"json_each({json_text}) AS {alias}"

    def id_list(self, param: str = "?") -> str:
        """A subquery of the integers of a JSON array parameter, for ``id IN <this>`` with one bound value."""
        return f"(SELECT value FROM json_each({param}))"  # noqa: S608

    def json_value(self, json_text: str) -> str:
        """A TEXT column holding JSON, as a JSON value inside a JSON object built in SQL."""
        return f"json({json_text})"

    def json_array_of_objects(self, fields: Sequence[tuple[str, str]], order_by: str) -> str:
        """An aggregate: a JSON array (as TEXT; NULL or ``[]`` when there are no rows) with one object per row,
        ``fields`` being ``(key, SQL expression)`` pairs; rows in ``order_by`` order."""
        pairs = ", ".join(f"'{key}', {expr}" for key, expr in fields)
        return f"json_group_array(json_object({pairs}))"  # rows come ordered from the FROM subquery

    def greatest(self, left: str, right: str) -> str:
        """The larger of two values."""
        return f"MAX({left}, {right})"

    def serialize_sql(self) -> str | None:
        """A statement (one integer ``?``: the key) that makes transactions of the same key run one after the other,
        for a read-then-write no unique key covers. None on SQLite, where every write transaction already does."""
        return None


class PostgresDialect(Dialect):
    """PostgreSQL: JSON functions take a ``json`` value (our columns are TEXT), aggregates order themselves."""

    name = "postgresql"

    def json_rows(self, json_text: str, alias: str) -> str:
        return f"json_array_elements_text(CAST({json_text} AS json)) AS {alias}(value)"

    def id_list(self, param: str = "?") -> str:
        return f"(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST({param} AS json)) AS ids(value))"  # noqa: S608

    def json_value(self, json_text: str) -> str:
        return f"CAST({json_text} AS json)"

    def json_array_of_objects(self, fields: Sequence[tuple[str, str]], order_by: str) -> str:
        pairs = ", ".join(f"'{key}', {expr}" for key, expr in fields)
        return f"CAST(json_agg(json_build_object({pairs}) ORDER BY {order_by}) AS TEXT)"

    def greatest(self, left: str, right: str) -> str:
        return f"GREATEST({left}, {right})"

    def serialize_sql(self) -> str | None:
        return "SELECT pg_advisory_xact_lock(?)"  # released at COMMIT / ROLLBACK


SQLITE = Dialect()
POSTGRESQL = PostgresDialect()


def dialect_named(name: str) -> Dialect:
    """The dialect of a SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
    if name == "postgresql":
        return POSTGRESQL
    if name == "sqlite":
        return SQLITE
    raise ValueError(f"unsupported database engine {name!r} (modbot runs on SQLite or PostgreSQL)")
