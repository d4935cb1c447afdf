"""What a referral's page, and an advice request's page, show of their disagreements: the one in progress
(its stage, what it waits for and by when), the earlier ones, decisions changed by one, and the school's
button to disagree. Their pages each include one template of this feature, which asks for it here (a
template global, so the referrals and advice features need not know of this one)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.advice.models import AdviceRequest
from portal.disagreements import service
from portal.disagreements.models import Disagreement, DisagreementStep, StepKind
from portal.disagreements.policy import may_raise, may_respond
from portal.extensions import db
from portal.policies import visible_query
from portal.referrals.display import deadline_words
from portal.referrals.models import Referral


@dataclass
class Panel:
    disagreements: list[Disagreement]
    in_progress: Disagreement | None
    #: Steps that changed the decision, oldest first.
    changes: list[DisagreementStep] = field(default_factory=list)
    may_raise: bool = False
    may_respond: bool = False
    raise_endpoint: str = ""
    subject_args: dict = field(default_factory=dict)


def panel(subject: Referral | AdviceRequest) -> Panel:
    column = Disagreement.referral_id if isinstance(subject, Referral) else Disagreement.advice_request_id
    # A disagreement is with a decision or an answer, and neither is ever taken back: before one there is
    # nothing to read (most referrals the front door opens are waiting for its decision).
    rows = (
        list(
            db.session.execute(
                visible_query(Disagreement).where(column == subject.id).options(selectinload(Disagreement.steps)).order_by(Disagreement.created_at.desc())
            )
            .unique()
            .scalars()
        )
        if service.decided(subject)
        else []
    )
    in_progress = next((d for d in rows if d.in_progress), None)
    changes = sorted((s for d in rows for s in d.steps if s.kind == StepKind.RESPONDED and s.decision_after), key=lambda s: s.created_at)
    referral = isinstance(subject, Referral)
    return Panel(
        disagreements=rows,
        in_progress=in_progress,
        changes=changes,
        may_raise=in_progress is None and service.decided(subject) and may_raise(current_user, subject),
        may_respond=in_progress is not None and may_respond(current_user, in_progress),
        raise_endpoint="disagreements.raise_for_referral" if referral else "disagreements.raise_for_advice",
        subject_args={"referral_id": subject.id} if referral else {"advice_id": subject.id},
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["disagreement_panel"] = panel
    app.jinja_env.globals["disagreement_deadline"] = deadline_words
