"""The base every SQLAlchemy repository derives from, and the small helpers they share.

A repository works inside the unit of work's Session and hands out plain, detached core.models
dataclasses, never ORM rows. Writes are flushed at once so ids are known and constraint violations
surface at the call that caused them; nothing is committed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar, cast

from sqlalchemy import Column, Select, insert, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from core.errors import NotFound
from storage.tables import Base, metadata

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Item = TypeVar("Item")
Row = TypeVar("Row", bound=Base)

# Fields stored as their enum's string value: field name -> enum.
EnumFields: TypeAlias = Mapping[str, type[StrEnum]]


def now() -> datetime:
    """The stamp a record gets when the caller left it empty: aware UTC, like everything stored."""
    return datetime.now(UTC)


def references_to(table_name: str) -> list[tuple[Any, Column[Any], str | None]]:
    """(table, column, ON DELETE rule) for every foreign key onto `table_name`, in a fixed order.

    Read from the tables, so a table added later is found without a change where this is used.
    """
    found = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name and fk.parent.table is table:
                found.append((table, fk.parent, fk.ondelete))
    return sorted(found, key=lambda ref: (ref[0].name, ref[1].name))


def utc(value: datetime | None) -> datetime | None:
    """Rows written in this same Session still hold the caller's zone; hand out UTC always."""
    return None if value is None else value.astimezone(UTC)


class SqlRepository(Generic[Item, Row]):
    """The records of one table (`row_type`) as `model` dataclasses, inside one unit of work.

    By default a record mirrors its row: its dataclass fields are the row's columns and convert by
    name (see _values and _to_item). Records with nested parts override _to_row and _to_item.
    The underscore methods are building blocks; each repository spells out its public methods, so
    what it offers is what its Protocol in core.unit_of_work asks for.
    """

    model: type[Item]
    row_type: type[Row]
    # The NotFound message for a missing key; "{}" is the key.
    missing: ClassVar[str]
    enums: ClassVar[EnumFields] = {}
    # Append-only logs: the database numbers every row, even when the caller's copy carries an id.
    ignores_given_id: ClassVar[bool] = False

    def __init__(self, session: OrmSession) -> None:
        self._session = session

    # --- row <-> record -----------------------------------------------------------------------

    def _to_row(self, item: Item) -> Row:
        return self.row_type(**self._values(item))

    def _to_item(self, row: Row) -> Item:
        """Lists and dicts are deep copies, so a record never shares them with the row (or another record);
        strings, numbers and times cannot change and are taken as they are (copying every field of every row
        made reading an hour of transcript several times slower)."""
        return self._record({name: _own(getattr(row, name)) for name in self._field_names()})

    def _record(self, values: dict[str, Any]) -> Item:
        """The record of column values (its own copies): times in UTC, enums from their stored strings."""
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = utc(value)
        for name, enum in self.enums.items():
            values[name] = enum(values[name])
        return self.model(**values)

    def _values(self, item: Item) -> dict[str, Any]:
        """Column values of a mirrored record: stamps the caller left empty are filled, and updated_at
        always says now; an id left empty is the database's to assign."""
        values = {name: _own(getattr(item, name)) for name in self._field_names()}
        for stamp in ("created_at", "received_at"):
            if stamp in values and values[stamp] is None:
                values[stamp] = now()
        if "updated_at" in values:
            values["updated_at"] = now()
        if "id" in values and (values["id"] is None or self.ignores_given_id):
            values.pop("id")
        for name in self.enums:
            values[name] = str(values[name])
        return values

    def _field_names(self) -> tuple[str, ...]:
        return _field_names(self.model)

    # --- building blocks ----------------------------------------------------------------------

    def _store(self, row: Row) -> Row:
        self._session.add(row)
        self._session.flush()
        return row

    def _add(self, item: Item) -> Item:
        """Stores the record and hands it back as stored (id, stamps, UTC)."""
        return self._to_item(self._store(self._to_row(item)))

    def _add_many(self, items: Sequence[Item]) -> list[Item]:
        """The records stored by one INSERT … RETURNING, in order, handed back with their ids and stamps.

        No rows are built for them: the unit of work's flush per row, and reading each row back into a record,
        took most of the time a burst of webhook deliveries spent being stored."""
        if not items:
            return []
        values = [self._values(item) for item in items]
        row_id = cast("Any", self.row_type).id
        statement = insert(self.row_type).returning(row_id, sort_by_parameter_order=True)
        ids = self._session.scalars(statement, values).all()
        # _values made its own copies, which no row keeps: they can become the stored records
        return [self._record({**given, "id": new_id}) for given, new_id in zip(values, ids, strict=True)]

    def _row(self, key: object) -> Row:
        row = self._session.get(self.row_type, key)
        if row is None:
            raise NotFound(self.missing.format(key))
        return row

    def _get(self, key: object) -> Item:
        return self._to_item(self._row(key))

    def _update(self, item: Item, key: object) -> Item:
        """Writes every field of the record back onto the row stored under key."""
        row = self._row(key)
        for name, value in self._values(item).items():
            setattr(row, name, value)
        self._session.flush()
        return self._to_item(row)

    def _first(self, statement: Select[Row]) -> Item | None:
        row = self._session.scalars(statement).first()
        return self._to_item(row) if row is not None else None

    def _many(self, statement: Select[Row]) -> list[Item]:
        return [self._to_item(row) for row in self._session.scalars(statement)]

    def _in_session(self, session_id: str, *order: InstrumentedAttribute[Any]) -> list[Item]:
        """Every record of one session in the given order: most per-session records are listed so."""
        session_column = self.row_type.__table__.c.session_id
        return self._many(select(self.row_type).where(session_column == session_id).order_by(*order))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(model: type) -> tuple[str, ...]:
    """A record's field names, once per record type: asking dataclasses for them on every row read took a
    sixth of reading an hour of transcript. Only mirrored records get here: dataclasses by construction."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(field.name for field in fields(cast("type[DataclassInstance]", model)))
    return names


def _own(value: Any) -> Any:
    """A copy of a mutable column value (JSON lists and dicts), the value itself otherwise.

    JSON holds nothing but dicts, lists and immutable scalars, so a plain walk copies it; copy.deepcopy's
    memo bookkeeping made copying a webhook's payload a third of storing it."""
    if isinstance(value, dict):
        return {key: _own(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_own(item) for item in value]
    return value
