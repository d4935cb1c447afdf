"""Factories for self-review's tests, made through the models inside the authority."""

from __future__ import annotations

import uuid

from tests.factories import _scope


def make_review(app, side, *, school: str = "school1", framework: str = "practical-tips", year: int = 2026, by: str = "head1") -> uuid.UUID:
    from portal.extensions import db
    from portal.selfreview import frameworks
    from portal.selfreview.models import SelfReview

    with _scope(app, side, side.people[by]):
        row = SelfReview(
            organisation_id=getattr(side, school),
            framework=framework,
            framework_version=frameworks.get(framework).version,
            academic_year=year,
            started_by_id=side.people[by].id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def answer(
    app,
    side,
    review_id,
    question_key: str,
    rating: str | None = "amber",
    *,
    by: str = "head1",
    evidence: str = "Staff survey, autumn term.",
    notes: str = "Our own notes.",
) -> uuid.UUID:
    from portal.extensions import db
    from portal.selfreview.models import Rag, SelfReviewAnswer

    with _scope(app, side, side.people[by]):
        row = SelfReviewAnswer(
            review_id=review_id,
            question_key=question_key,
            rating=Rag(rating) if rating else None,
            evidence=evidence,
            notes=notes,
            updated_by_id=side.people[by].id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def answer_all(app, side, review_id, *, framework: str = "practical-tips", rating: str = "green", by: str = "head1", notes: str = "Our own notes.") -> None:
    """Rate every question of the framework's latest version (through the models)."""
    from portal.selfreview import frameworks

    for question in frameworks.get(framework).questions:
        answer(app, side, review_id, question.key, rating, by=by, notes=notes)


def make_action(
    app,
    side,
    review_id,
    *,
    question_key: str = "tip-01",
    description: str = "Put the DSL's photo in every classroom.",
    owner: str | None = "dsl1",
    owner_name: str | None = None,
    due_on=None,
    status: str = "not_started",
    by: str = "head1",
) -> uuid.UUID:
    """A development action of a review, owned by a person of the world (``owner``) or written in (``owner_name``)."""
    from datetime import date

    from portal.clock import utcnow
    from portal.extensions import db
    from portal.partnership.models import ActionStatus
    from portal.selfreview.models import DevelopmentAction

    with _scope(app, side, side.people[by]):
        row = DevelopmentAction(
            review_id=review_id,
            question_key=question_key,
            description=description,
            owner_user_id=side.people[owner].id if owner_name is None else None,
            owner_name=owner_name,
            due_on=due_on or date(2099, 3, 1),
            status=ActionStatus(status),
            completed_at=utcnow() if status == "done" else None,
            created_by_id=side.people[by].id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def freeze_today(monkeypatch, day) -> None:
    """Make "today in the UK" ``day`` for the self-review pages (the academic year, due dates, overdue)."""
    monkeypatch.setattr("portal.selfreview.service.uk_today", lambda: day)
    monkeypatch.setattr("portal.selfreview.views.review.uk_today", lambda: day)
