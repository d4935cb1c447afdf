"""Logging and triaging concerns, and the authority's concern categories.

Each function changes child-level data in the current transaction, with its audit event, its line on
the pupil's chronology and its notifications; the view commits. Audit details and notification titles
hold ids, category keys and outcome values only, never what anybody wrote about the child (a
notification is also emailed).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload

from portal.audit.service import record
from portal.casework import attachments, chronology
from portal.casework.models import EntryKind
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import utcnow
from portal.concerns.actions import Action
from portal.concerns.models import BUILT_IN_CATEGORIES, Concern, ConcernCategory, ConcernLink, ConcernOutcome, ConcernStatus
from portal.extensions import db
from portal.notifications.service import page_path
from portal.policies import visible_query

CUSTOM_PREFIX = "custom-"

# Categories ---------------------------------------------------------------------------------------


def _custom_categories(include_archived: bool):
    query = visible_query(ConcernCategory).order_by(func.lower(ConcernCategory.label))
    if not include_archived:
        query = query.where(ConcernCategory.archived_at.is_(None))
    return db.session.execute(query).scalars().all()


def category_choices() -> list[tuple[str, str]]:
    """The categories offered on the concern form: the built-in ones, the authority's own, then "Other"."""
    built_in = [pair for pair in BUILT_IN_CATEGORIES if pair[0] != "other"]
    other = [pair for pair in BUILT_IN_CATEGORIES if pair[0] == "other"]
    return built_in + [(c.key, c.label) for c in _custom_categories(include_archived=False)] + other


def category_labels() -> dict[str, str]:
    """Every category key -> label, archived ones too (old concerns keep theirs). One query."""
    labels = dict(BUILT_IN_CATEGORIES)
    labels.update({c.key: c.label for c in _custom_categories(include_archived=True)})
    return labels


def category_label_problem(label: str) -> str | None:
    """Why ``label`` cannot be added as a new category, or ``None`` if it can."""
    folded = label.casefold()
    if any(built_in.casefold() == folded for _, built_in in BUILT_IN_CATEGORIES):
        return f"‘{label}’ is already a built-in category"
    if any(c.label.casefold() == folded for c in _custom_categories(include_archived=False)):
        return f"Your authority already has a category called ‘{label}’"
    return None


def new_category_key(label: str) -> str:
    """A stable key for a new category: ``custom-`` and a readable slug, made unique by a suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "category"
    return f"{CUSTOM_PREFIX}{slug}-{uuid.uuid4().hex[:8]}"


def add_category(label: str) -> ConcernCategory:
    category = ConcernCategory(key=new_category_key(label), label=label)
    db.session.add(category)
    db.session.flush()
    record(Action.CONCERN_CATEGORY_ADDED, object_type="concern_category", object_id=category.id, details={"key": category.key, "label": category.label})
    return category


def archive_category(category: ConcernCategory) -> bool:
    """Stop offering ``category`` (concerns already logged under it keep it). False if it already was."""
    if category.archived_at is not None:
        return False
    category.archived_at = utcnow()
    record(Action.CONCERN_CATEGORY_ARCHIVED, object_type="concern_category", object_id=category.id, details={"key": category.key})
    return True


# Logging ------------------------------------------------------------------------------------------


def log_concern(
    pupil,
    *,
    raised_by_id: uuid.UUID,
    category: str,
    category_label: str,
    seen_or_heard: str,
    child_words: str | None,
    occurred_at: datetime,
    location: str | None,
    urgent: bool,
    uploads=(),
) -> tuple[Concern, int]:
    """Log a concern about ``pupil`` at the pupil's school; returns it and how many DSLs were alerted."""
    concern = Concern(
        organisation_id=pupil.organisation_id,
        pupil_id=pupil.id,
        raised_by_id=raised_by_id,
        category=category,
        seen_or_heard=seen_or_heard,
        child_words=child_words,
        occurred_at=occurred_at,
        location=location,
        urgent=urgent,
        status=ConcernStatus.NEW,
    )
    db.session.add(concern)
    db.session.flush()
    kept = [
        attachments.save(upload, organisation_id=concern.organisation_id, concern_id=concern.id, uploaded_by_id=raised_by_id).filename for upload in uploads
    ]
    record(
        Action.CONCERN_LOGGED,
        object_type="concern",
        object_id=concern.id,
        organisation_id=concern.organisation_id,
        details={"pupil_id": str(pupil.id), "category": category, "urgent": urgent},
    )
    chronology.add(
        pupil_id=pupil.id,
        organisation_id=concern.organisation_id,
        kind=EntryKind.CONCERN,
        title=f"Concern logged: {category_label}",
        object_type="concern",
        object_id=concern.id,
        occurred_at=occurred_at,
        actor_id=raised_by_id,
        substance=chronology.lines(
            ("What was seen or heard", seen_or_heard),
            ("What the child said, in their own words", child_words),
            ("Where it happened", location),
            ("Urgent", "Yes: the child may be at risk of harm now" if urgent else None),
            ("Attachments", ", ".join(kept)),
        ),
    )
    school = pupil.organisation.name
    if urgent:
        title = f"URGENT concern logged at {school}: please look now"
        body = "The person who logged it has been asked to tell you in person too. Sign in to read it and record your triage."
    else:
        title = f"New concern logged at {school}"
        body = "Sign in to read it and record your triage."
    told = notify_all(
        school_casework_ids(concern.organisation_id),
        title,
        body=body,
        link=page_path("concerns.detail", concern_id=concern.id),
        exclude=(raised_by_id,),
    )
    return concern, told


# Triage -------------------------------------------------------------------------------------------


def link_candidates(concern: Concern, limit: int = 50) -> list[Concern]:
    """Other concerns about the same pupil that the DSL may link this one to, newest first."""
    query = (
        visible_query(Concern)
        .options(joinedload(Concern.raised_by))
        .where(Concern.pupil_id == concern.pupil_id, Concern.id != concern.id)
        .order_by(Concern.created_at.desc(), Concern.id.desc())
        .limit(limit)
    )
    return db.session.execute(query).unique().scalars().all()


def links_of(concern: Concern) -> list[ConcernLink]:
    """The links this concern takes part in, in either direction."""
    query = visible_query(ConcernLink).where(or_(ConcernLink.concern_id == concern.id, ConcernLink.linked_concern_id == concern.id))
    return db.session.execute(query).scalars().all()


def linked_ids(concern: Concern) -> set[uuid.UUID]:
    return {link.linked_concern_id if link.concern_id == concern.id else link.concern_id for link in links_of(concern)}


def linked_concerns(concern: Concern) -> list[Concern]:
    """The concerns linked to this one (both directions), newest first."""
    ids = linked_ids(concern)
    if not ids:
        return []
    query = (
        visible_query(Concern).options(joinedload(Concern.raised_by)).where(Concern.id.in_(sorted(ids))).order_by(Concern.created_at.desc(), Concern.id.desc())
    )
    return db.session.execute(query).unique().scalars().all()


def set_links(concern: Concern, *, offered: set[uuid.UUID], chosen: set[uuid.UUID], by_id: uuid.UUID) -> tuple[list, list]:
    """Make the links between ``concern`` and the ``offered`` concerns match ``chosen``; links to concerns
    not offered are left alone. Returns the ids added and removed."""
    existing = {(link.linked_concern_id if link.concern_id == concern.id else link.concern_id): link for link in links_of(concern)}
    added = sorted((chosen & offered) - existing.keys())
    removed = sorted((offered - chosen) & existing.keys())
    for other_id in added:
        low, high = sorted([concern.id, other_id])
        db.session.add(ConcernLink(concern_id=low, linked_concern_id=high, linked_by_id=by_id))
    for other_id in removed:
        db.session.delete(existing[other_id])
    if added or removed:
        db.session.flush()
        record(
            Action.CONCERNS_LINKED,
            object_type="concern",
            object_id=concern.id,
            organisation_id=concern.organisation_id,
            details={"added": [str(i) for i in added], "removed": [str(i) for i in removed]},
        )
    return added, removed


def triage(
    concern: Concern,
    *,
    by_id: uuid.UUID,
    action_taken: str,
    outcome: ConcernOutcome,
    response_to_reporter: str | None,
    offered: set[uuid.UUID],
    chosen: set[uuid.UUID],
) -> bool:
    """Record (or update) the DSL's triage, and make its links to the ``offered`` concerns match
    ``chosen`` (see :func:`set_links`). Returns whether the person who logged it was told."""
    first = concern.status is not ConcernStatus.TRIAGED
    reporter_sees_change = first or concern.outcome != outcome or (concern.response_to_reporter or None) != response_to_reporter
    concern.action_taken = action_taken
    concern.outcome = outcome
    concern.response_to_reporter = response_to_reporter
    concern.status = ConcernStatus.TRIAGED
    concern.triaged_by_id = by_id
    concern.triaged_at = utcnow()
    record(
        Action.CONCERN_TRIAGED,
        object_type="concern",
        object_id=concern.id,
        organisation_id=concern.organisation_id,
        details={"outcome": outcome.value, "first": first},
    )
    chronology.add(
        pupil_id=concern.pupil_id,
        organisation_id=concern.organisation_id,
        kind=EntryKind.TRIAGE,
        title=f"DSL triage: {outcome.label}" if first else f"DSL triage updated: {outcome.label}",
        object_type="concern",
        object_id=concern.id,
        actor_id=by_id,
        substance=chronology.lines(
            ("Outcome", outcome.label),
            ("Action taken, and why", action_taken),
            ("What the person who logged it was told", response_to_reporter),
        ),
    )
    told = reporter_sees_change and concern.raised_by_id != by_id
    if told:
        notify_all(
            [concern.raised_by_id],
            "The DSL has responded to a concern you logged",
            body="Sign in to see what they decided.",
            link=page_path("concerns.detail", concern_id=concern.id),
        )
    set_links(concern, offered=offered, chosen=chosen, by_id=by_id)
    return told
