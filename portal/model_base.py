"""Column types and mixins every model uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    PostgreSQL keeps the time zone (``timestamptz``); SQLite drops it, so values are stored as naive UTC
    and given their zone back when read. Naive datetimes are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetime refused: use an aware UTC datetime (portal.model_base.utcnow()).")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class HasUUID:
    """A random UUID primary key: ids in URLs are never sequential."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class HasCreatedAt:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


def enum_column(enum_cls, length: int = 32, *, name: str | None = None) -> Enum:
    """Store an enum by its value in a VARCHAR with a CHECK, the same on SQLite and PostgreSQL.

    ``name`` names the CHECK; give one when a table has two columns of the same enum."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        create_constraint=True,
        name=name or enum_cls.__name__.lower(),
    )


def as_uuid(value) -> uuid.UUID | None:
    """``value`` as a UUID, or ``None`` when it is not one (an id from a form or the address)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
