"""Keyset pagination: a page ends with a cursor (the sort key of its last row), and the next page starts
after it. The cost of a page does not grow with how far into the list it is, unlike OFFSET."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


#: The highest page number a numbered list goes to: a larger one (typed into the address) is this one,
#: never an OFFSET the database cannot hold.
MAX_PAGE = 10_000


def page_number() -> int:
    """The ``page`` of the request's query: a whole number from 1 to :data:`MAX_PAGE` (1 when missing or
    not a number)."""
    from flask import request

    return min(MAX_PAGE, max(1, request.args.get("page", 1, type=int) or 1))


def encode_cursor(*values: Any) -> str:
    """An opaque, URL-safe cursor from sort-key values (datetimes, UUIDs, strings, numbers)."""
    parts = []
    for value in values:
        if isinstance(value, datetime):
            parts.append("d" + value.isoformat())
        elif isinstance(value, uuid.UUID):
            parts.append("u" + value.hex)
        elif value is None:
            parts.append("n")
        else:
            parts.append("s" + str(value))
    return base64.urlsafe_b64encode("\x1f".join(parts).encode()).decode().rstrip("=")


def request_cursor(arity: int, *types: type) -> tuple | None:
    """The ``after`` cursor of the current request, decoded and checked (see :func:`decode_cursor`)."""
    from flask import request

    return decode_cursor(request.args.get("after"), arity, types or None)


def decode_cursor(cursor: str | None, arity: int, types: tuple[type, ...] | None = None) -> tuple | None:
    """The values of a cursor made by :func:`encode_cursor`; ``None`` for a missing or malformed one, or
    (with ``types``) one whose values are not of those types (a tampered cursor is a first page, never
    an error)."""
    if not cursor or len(cursor) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = []
        for part in raw.split("\x1f"):
            tag, body = part[:1], part[1:]
            if tag == "d":
                values.append(datetime.fromisoformat(body))
            elif tag == "u":
                values.append(uuid.UUID(hex=body))
            elif tag == "n":
                values.append(None)
            elif tag == "s":
                values.append(body)
            else:
                return None
        if len(values) != arity:
            return None
        if types is not None and not all(isinstance(v, t) for v, t in zip(values, types, strict=True)):
            return None
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            return None  # every cursor is made from an aware datetime: a naive one was tampered with
        return tuple(values)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def fetch_page(session, query, size: int, key) -> Page:
    """Run ``query`` (already ordered and filtered after the cursor) for one page plus one row, to know
    whether there is a next page; ``key(row)`` gives the sort-key values of a row."""
    return cut_page(session.execute(query.limit(size + 1)).unique().scalars().all(), size, key)


def cut_page(rows: Sequence[T], size: int, key) -> Page[T]:
    """``rows`` read with a limit of one more than ``size``: the page, and the cursor of the next page if
    that extra row came back."""
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(*key(rows[-1])) if more and rows else None)
