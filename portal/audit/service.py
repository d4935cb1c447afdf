"""Writing and verifying the audit log.

``record()`` adds an event to the current transaction, so an audited change and its audit row commit or
roll back together. ``record_now()`` is for events that must be kept although the request fails
(a refused access, a failed sign-in): it rolls back whatever the request had not saved, then commits
the event alone.

The chain: each row's hash is SHA-256 over a canonical JSON of its fields plus the previous row's hash.
On PostgreSQL a transaction-scoped advisory lock per authority serialises writers, so two requests
never take the same place in the chain; ``UNIQUE (authority_id, seq)`` backs it up.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import has_request_context, request
from sqlalchemy import select, text

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.clock import utcnow
from tenants import context as tenant_context
from tenants.context import tenant_scope

GENESIS_HASH = "0" * 64


class Action:
    """The audited actions, by name."""

    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    LOCKED_OUT = "auth.locked_out"
    SESSION_EXPIRED = "auth.session_expired"
    TWO_FACTOR_ENROLLED = "auth.two_factor_enrolled"
    TWO_FACTOR_FAILED = "auth.two_factor_failed"
    TWO_FACTOR_RESET = "auth.two_factor_reset"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    PASSWORD_CHANGED = "auth.password_changed"
    PASSWORD_CHANGE_REFUSED = "auth.password_change_refused"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"
    PASSWORD_RESET = "auth.password_reset"
    INVITATION_SENT = "account.invitation_sent"
    INVITATION_ACCEPTED = "account.invitation_accepted"
    USER_DEACTIVATED = "account.deactivated"
    USER_REACTIVATED = "account.reactivated"
    USER_UPDATED = "account.updated"
    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_REMOVED = "membership.removed"
    DUTY_ASSIGNED = "duty.assigned"
    DUTY_REMOVED = "duty.removed"
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_UPDATED = "organisation.updated"
    ORGANISATION_ARCHIVED = "organisation.archived"
    ORGANISATION_RESTORED = "organisation.restored"
    SETTINGS_CHANGED = "authority.settings_changed"
    AUTHORITY_CREATED = "authority.created"
    RECORD_VIEWED = "record.viewed"
    RECORD_EXPORTED = "record.exported"
    ACCESS_DENIED = "access.denied"
    NOT_FOUND = "access.not_found"
    AUDIT_VIEWED = "audit.viewed"
    # Casework: every change to child-level data, and every read of it (RECORD_VIEWED above).
    PUPIL_CREATED = "pupil.created"
    PUPIL_UPDATED = "pupil.updated"
    PUPILS_IMPORTED = "pupil.imported"
    CONCERN_LOGGED = "concern.logged"
    CONCERN_TRIAGED = "concern.triaged"
    CONCERNS_LINKED = "concern.linked"
    CONCERN_CATEGORY_ADDED = "concern.category_added"
    CONCERN_CATEGORY_ARCHIVED = "concern.category_archived"
    ADVICE_REQUESTED = "advice.requested"
    ADVICE_TAKEN = "advice.taken"
    ADVICE_ANSWERED = "advice.answered"
    ADVICE_MESSAGE = "advice.message"
    REFERRAL_CREATED = "referral.created"
    REFERRAL_UPDATED = "referral.updated"
    REFERRAL_DELETED = "referral.draft_deleted"
    REFERRAL_TRANSITION = "referral.transition"
    REFERRAL_MESSAGE = "referral.message"
    REFERRAL_WARNED = "referral.clock_warning"
    REFERRAL_ESCALATED = "referral.clock_escalated"
    ATTACHMENT_UPLOADED = "attachment.uploaded"
    ATTACHMENT_REJECTED = "attachment.rejected"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded"
    CHRONOLOGY_VIEWED = "chronology.viewed"
    EXPORT_REQUESTED = "export.requested"
    EXPORT_BUILT = "export.built"
    EXPORT_DOWNLOADED = "export.downloaded"
    CALENDAR_CHANGED = "authority.calendar_changed"
    # Contextual safeguarding: context referrals, the panel, partnership meetings, summits, safety maps.
    THRESHOLDS_CHANGED = "authority.thresholds_changed"
    CONTEXT_REFERRAL_RAISED = "context_referral.raised"
    CONTEXT_REFERRAL_LISTED = "context_referral.listed_for_panel"
    CONTEXT_REFERRAL_DECIDED = "context_referral.decided"
    PANEL_MEETING_SAVED = "panel_meeting.saved"
    PANEL_ATTENDANCE_RECORDED = "panel_meeting.attendance"
    WORKSPACE_OPENED = "workspace.opened"
    WORKSPACE_UPDATED = "workspace.updated"
    WORKSPACE_INVITED = "workspace.invited"
    WORKSPACE_INVITATION_ANSWERED = "workspace.invitation_answered"
    PARTICIPANT_ADDED = "workspace.participant_added"
    PARTICIPANT_REMOVED = "workspace.participant_removed"
    INFORMATION_SHARING_ACCEPTED = "workspace.information_sharing_accepted"
    MEETING_RETURN_SAVED = "meeting.return_saved"
    MEETING_RETURN_SUBMITTED = "meeting.return_submitted"
    PLAN_ACTION_ADDED = "plan_action.added"
    PLAN_ACTION_UPDATED = "plan_action.updated"
    PLAN_ACTION_OVERDUE = "plan_action.overdue_notified"
    STALE_SAVE_REFUSED = "record.stale_save_refused"
    SUMMIT_FINDING_ADDED = "summit.finding_added"
    YOU_SAID_WE_DID_ADDED = "summit.you_said_we_did"
    SAFETY_MAP_UPLOADED = "safety_map.uploaded"
    MAP_MARKER_PLACED = "safety_map.marker_placed"
    MAP_MARKER_REMOVED = "safety_map.marker_removed"
    MAP_LINK_CREATED = "safety_map.link_created"
    MAP_LINK_REVOKED = "safety_map.link_revoked"
    MAP_LINK_OPENED = "safety_map.link_opened"
    MAP_LINK_REFUSED = "safety_map.link_refused"
    ASSESSMENT_STAGE_CHANGED = "assessment.stage_changed"
    ASSESSMENT_NOTE_ADDED = "assessment.note_added"
    ASSESSMENT_FINDING_ADDED = "assessment.finding_added"
    ASSESSMENT_FINDING_UPDATED = "assessment.finding_updated"
    ASSESSMENT_METHOD_ADDED = "assessment.method_added"
    ASSESSMENT_METHOD_UPDATED = "assessment.method_updated"
    ASSESSMENT_SURVEY_IMPORTED = "assessment.survey_imported"
    ASSESSMENT_SURVEY_IMPORT_REFUSED = "assessment.survey_import_refused"
    ASSESSMENT_REVIEW_SAVED = "assessment.review_saved"
    # The DSL network forums (details: ids, kinds and moderators' reasons; never the text of a post).
    FORUM_THREAD_CREATED = "forum.thread_created"
    FORUM_POST_CREATED = "forum.post_created"
    FORUM_POST_EDITED = "forum.post_edited"
    FORUM_POST_HIDDEN = "forum.post_hidden"
    FORUM_POST_UNHIDDEN = "forum.post_unhidden"
    FORUM_POST_REPORTED = "forum.post_reported"
    FORUM_REPORT_RESOLVED = "forum.report_resolved"
    FORUM_THREAD_LOCKED = "forum.thread_locked"
    FORUM_THREAD_UNLOCKED = "forum.thread_unlocked"
    FORUM_CATEGORY_CREATED = "forum.category_created"
    FORUM_CATEGORY_UPDATED = "forum.category_updated"
    FORUM_CATEGORY_ARCHIVED = "forum.category_archived"
    FORUM_CATEGORY_RESTORED = "forum.category_restored"
    FORUM_GUEST_INVITED = "forum.guest_invited"
    FORUM_GUEST_REMOVED = "forum.guest_removed"
    FORUM_CHILD_CHECK_CONFIRMED = "forum.child_check_confirmed"
    # The network's shared resources, and following categories and threads (details: ids, numbers, types).
    FORUM_RESOURCE_ADDED = "forum.resource_added"
    FORUM_RESOURCE_UPDATED = "forum.resource_updated"
    FORUM_RESOURCE_VERSION_ADDED = "forum.resource_version_added"
    FORUM_RESOURCE_ARCHIVED = "forum.resource_archived"
    FORUM_RESOURCE_DOWNLOADED = "forum.resource_downloaded"
    FORUM_SUBSCRIBED = "forum.subscribed"
    FORUM_UNSUBSCRIBED = "forum.unsubscribed"
    FORUM_DIGEST_SENT = "forum.digest_sent"
    # Self-review: a school's review against the seeds' questions (details: keys and ratings only).
    SELF_REVIEW_STARTED = "self_review.started"
    SELF_REVIEW_ANSWERED = "self_review.answered"
    SELF_REVIEW_COMPLETED = "self_review.completed"
    SELF_REVIEW_ACTION_ADDED = "self_review.action_added"
    SELF_REVIEW_ACTION_UPDATED = "self_review.action_updated"
    # The governor report (counts only; details: the school year) and the school's training and review dates.
    GOVERNOR_REPORT_VIEWED = "governor_report.viewed"
    GOVERNOR_REPORT_DOWNLOADED = "governor_report.downloaded"
    ASSURANCE_DATES_SAVED = "assurance_dates.saved"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def _lock_chain(authority_id: uuid.UUID) -> None:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"audit:{authority_id}"})


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
    _lock_chain(authority_id)
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    ip, agent = _request_origin()
    event = AuditEvent(
        authority_id=authority_id,
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_id=_current_actor_id() if actor_id is ... else actor_id,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=_text(object_id),
        ip_address=ip,
        user_agent=agent,
        details=details or {},
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


def record_now(action: str, **kwargs) -> AuditEvent:
    """Record an event that must survive the request failing: discard unsaved work, then commit the event."""
    db.session.rollback()
    event = record(action, **kwargs)
    db.session.commit()
    return event


def render_audited(template: str, **context) -> str:
    """Render a page, then commit the audit event its view recorded. Committing first would expire
    every row loaded for the page, and reloading them would cost a query per row."""
    from flask import render_template

    html = render_template(template, **context)
    db.session.commit()
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
