"""A pupil's chronology: one time line of concerns, triage, advice, referrals, context referrals and what
the DSL records of calls, meetings and visits.

Modules call :func:`add` in the same transaction as the change it records, so the time line can never
miss a step or show one that was rolled back. Each line carries its substance as it was at that step —
what was seen or heard and the child's own words, the action the DSL took and why, the question and the
answer, what happened and what was decided — so the chronology is the record a strategy discussion, a
conference or a court reads; the full record is one link away, through its own policy.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from portal.casework.models import ChronologyEntry, EntryKind
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import current as current_tenant

#: A line's substance: what was said, seen, asked or decided, as ``{"label": ..., "text": ...}`` items.
Substance = list[dict[str, str]]


def lines(*pairs: tuple[str, str | None]) -> Substance:
    """The substance of a line from ``(label, text)`` pairs; a pair with no text is left out."""
    return [{"label": label, "text": text.strip()} for label, text in pairs if text and text.strip()]


def add(
    *,
    pupil_id: uuid.UUID,
    organisation_id: uuid.UUID,
    kind: EntryKind,
    title: str,
    object_type: str,
    object_id: uuid.UUID,
    substance: Substance | None = None,
    occurred_at: datetime | None = None,
    actor_id: uuid.UUID | None | type = ...,
) -> ChronologyEntry:
    """Write one line of ``pupil_id``'s chronology in the current transaction."""
    ctx = current_tenant()
    entry = ChronologyEntry(
        pupil_id=pupil_id,
        organisation_id=organisation_id,
        kind=kind,
        title=title[:200],
        substance=list(substance or []),
        object_type=object_type,
        object_id=object_id,
        occurred_at=occurred_at or utcnow(),
        actor_id=(ctx.user_id if ctx else None) if actor_id is ... else actor_id,
    )
    db.session.add(entry)
    return entry


PAGE_SIZE = 50


def page_query(
    pupil_id: uuid.UUID, kinds: list[EntryKind] | None = None, *, significant_only: bool = False, before: tuple[datetime, uuid.UUID] | None = None
) -> Select:
    """Newest first, keyset-paginated: ``before`` is the (occurred_at, id) of the last line shown."""
    query = select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id)
    if kinds:
        query = query.where(ChronologyEntry.kind.in_(kinds))
    if significant_only:
        query = query.where(ChronologyEntry.significant.is_(True))
    if before is not None:
        moment, last_id = before
        query = query.where(or_(ChronologyEntry.occurred_at < moment, and_(ChronologyEntry.occurred_at == moment, ChronologyEntry.id < last_id)))
    return query.order_by(ChronologyEntry.occurred_at.desc(), ChronologyEntry.id.desc())
