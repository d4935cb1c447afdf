"""Writing and verifying the audit log.

``record()`` adds an event to the current transaction, so an audited change and its audit row commit or
roll back together. ``record_now()`` is for events that must be kept although the request fails
(a refused access, a failed sign-in): it rolls back whatever the request had not saved, then commits
the event alone.

The chain: each row's hash is SHA-256 over a canonical JSON of its fields plus the previous row's hash.
An event takes its place in the chain when its transaction commits, not when it is recorded: ``record()``
keeps it with the session (``session.info``), and just before the commit's last flush the session's
events are given their ``seq`` and hashes and added. On PostgreSQL a transaction-scoped advisory lock per
authority serialises that step, so two requests never take the same place; ``UNIQUE (authority_id,
seq)`` backs it up. The lock is held from the sealing to the commit — a moment — never while a page is
drawn (an audited read used to hold it from ``record()`` through its whole render, queueing every
audited page of the authority behind it). A rollback drops the session's events with its other work, as
does leaving the authority's scope without committing (its flushed rows are rolled back then too).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import event as orm_event
from sqlalchemy import select, text

from portal.audit.models import AuditEvent
from portal.clock import utcnow
from portal.extensions import db
from tenants import context as tenant_context
from tenants.context import tenant_scope
from tenants.orm import AUDIT_PENDING, TenantSession

GENESIS_HASH = "0" * 64


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value) -> str | None:
    return None if value is None else str(value)


def event_hash(event: AuditEvent) -> str:
    """The hash a row must carry, computed from its fields and ``prev_hash``."""
    canonical = json.dumps(
        {
            "authority_id": str(event.authority_id),
            "seq": event.seq,
            "occurred_at": _iso(event.occurred_at),
            "actor_id": _text(event.actor_id),
            "organisation_id": _text(event.organisation_id),
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "ip_address": event.ip_address,
            "user_agent": event.user_agent,
            "details": event.details or {},
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _chain_head(session, authority_id: uuid.UUID):
    """The authority's chain locked until the transaction ends (on PostgreSQL), then its last row
    (``seq``, ``hash``), or ``None`` for an empty chain. On PostgreSQL in one round trip: the function
    ``audit_chain_head`` (migration 0020) takes the lock, then reads with a snapshot taken after it."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT seq, hash FROM audit_chain_head(:authority)"), {"authority": authority_id}).first()
    return session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()


def _request_origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    agent = request.headers.get("User-Agent")
    return request.remote_addr, agent[:300] if agent else None


def _current_actor_id() -> uuid.UUID | None:
    ctx = tenant_context.current()
    return ctx.user_id if ctx else None


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id=None,
    actor_id: uuid.UUID | None | type = ...,
    organisation_id: uuid.UUID | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction, for the authority in context.

    ``actor_id`` defaults to the user in the tenant context. ``details`` must hold only ids and short
    labels, never case details.
    """
    authority_id = tenant_context.require_authority_id()
    ip, agent = _request_origin()
    event = AuditEvent(
        authority_id=authority_id,
        occurred_at=utcnow(),
        actor_id=_current_actor_id() if actor_id is ... else actor_id,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=_text(object_id),
        ip_address=ip,
        user_agent=agent,
        details=details or {},
    )
    db.session.info.setdefault(PENDING, []).append(event)
    return event


#: Where a session keeps the events recorded in its transaction until it commits.
PENDING = AUDIT_PENDING


def pending_events(session) -> list[AuditEvent]:
    """The events recorded in ``session``'s transaction and not yet committed."""
    return list(session.info.get(PENDING, ()))


def _seal(session) -> None:
    """Give the transaction's events their places in the chain (locked per authority), just before the
    commit flushes them. All are for the authority in context: changing authority drops a session's
    uncommitted work, these events with it (``tenants.orm``)."""
    events = session.info.pop(PENDING, None)
    if not events:
        return
    authority_id = tenant_context.require_authority_id()
    strangers = {e.authority_id for e in events} - {authority_id}
    if strangers:
        raise tenant_context.CrossTenantWrite(f"Audit events of another authority in this transaction: {sorted(map(str, strangers))}")
    last = _chain_head(session, authority_id)
    seq, previous = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.hash = previous = event_hash(event)
        session.add(event)


def _forget(session, transaction) -> None:
    """A transaction that ends without committing (a rollback, the session closed) takes its events with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def watch_sessions(session_class) -> None:
    """Seal the recorded events at each commit of ``session_class``'s sessions, and forget them when the
    transaction ends otherwise."""
    if not orm_event.contains(session_class, "before_commit", _seal):
        orm_event.listen(session_class, "before_commit", _seal)
        orm_event.listen(session_class, "after_transaction_end", _forget)


def record_now(action: str, **kwargs) -> AuditEvent:
    """Record an event that must survive the request failing: discard unsaved work, then commit the event."""
    db.session.rollback()
    event = record(action, **kwargs)
    db.session.commit()
    return event


def commit_read() -> None:
    """Commit a page's read (the audit events its view recorded) once the page is drawn, without expiring
    the rows loaded for it: nothing reads them again before the request ends, and expiring a list's 150
    rows cost it about 0.5 ms of CPU."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def render_audited(template: str, **context) -> str:
    """Render a page, then commit the audit event its view recorded (``commit_read``). Committing first
    would expire every row loaded for the page, and reloading them would cost a query per row."""
    from flask import render_template

    html = render_template(template, **context)
    commit_read()
    return html


@dataclass
class ChainBreak:
    authority_id: uuid.UUID
    seq: int
    event_id: uuid.UUID | None
    reason: str

    def __str__(self) -> str:
        return f"authority {self.authority_id}: broken at seq {self.seq} (event {self.event_id}): {self.reason}"


def verify_chain(authority_id: uuid.UUID) -> tuple[int, ChainBreak | None]:
    """Check one authority's chain. Returns (rows checked, the first break or ``None``)."""
    with tenant_scope(authority_id):
        expected_prev = GENESIS_HASH
        expected_seq = 1
        checked = 0
        rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        for event in rows:
            if event.seq != expected_seq:
                return checked, ChainBreak(authority_id, expected_seq, event.id, f"row missing or out of order (found seq {event.seq})")
            if event.prev_hash != expected_prev:
                return checked, ChainBreak(authority_id, event.seq, event.id, "prev_hash does not match the previous row")
            if event_hash(event) != event.hash:
                return checked, ChainBreak(authority_id, event.seq, event.id, "contents changed since the row was written")
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
        db.session.rollback()
        return checked, None


watch_sessions(TenantSession)
