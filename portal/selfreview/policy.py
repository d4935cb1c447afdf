"""Self-review and assurance: the school's head and governors see its reviews; who completes one is
named by its framework; the training and review dates are kept by the head."""

from __future__ import annotations

from flask_login import current_user

from portal.accounts.models import Role
from portal.extensions import db
from portal.policies import Policy, child_of, deny_page, never, within
from portal.selfreview.models import DevelopmentAction, SchoolAssuranceRecord, SelfReview, SelfReviewAnswer


def self_review_schools(user) -> set:
    """The schools whose self-reviews ``user`` sees: as head or as governor."""
    if not user.is_authenticated:
        return set()
    return user.organisation_ids(Role.HEAD, Role.GOVERNOR)


def own_schools() -> set:
    """The schools whose self-reviews the current user sees, for a page of them; 403 (audited) for
    someone who has none (a DSL, staff, a partner...)."""
    schools = self_review_schools(current_user)
    if not schools:
        deny_page()
    return schools


def self_review_editor(user, review) -> bool:
    """Completes the review: a person of the school holding a role the framework names (the twelve
    questions and the head teachers' questions: the head; the governors' questions: governors and the head)."""
    from portal.selfreview import frameworks

    if not user.is_authenticated or review.organisation_id not in self_review_schools(user):
        return False
    framework = frameworks.get(review.framework, review.framework_version)
    if framework is None:
        return False
    return any(Role(role) in {m.role for m in user.memberships if m.organisation_id == review.organisation_id} for role in framework.completed_by)


def _self_review_allows(user, action, obj) -> bool:
    return action in {"edit", "complete"} and self_review_editor(user, obj)


def _development_action_allows(user, action, obj) -> bool:
    if action != "update":
        return False
    # From the session when the page has loaded it already (the plan asks once per action).
    review = db.session.get(SelfReview, obj.review_id)
    return review is not None and self_review_editor(user, review)


POLICIES: dict[type, Policy] = {
    # Self-review: the school's head and governors; another school never (the authority sees counts only,
    # through portal.selfreview's aggregate queries).
    SelfReview: Policy(visible=lambda user: within(SelfReview.organisation_id, self_review_schools(user)), allows=_self_review_allows),
    SelfReviewAnswer: Policy(visible=child_of(SelfReviewAnswer.review_id, SelfReview), allows=never),
    DevelopmentAction: Policy(visible=child_of(DevelopmentAction.review_id, SelfReview), allows=_development_action_allows),
    SchoolAssuranceRecord: Policy(
        visible=lambda user: within(SchoolAssuranceRecord.organisation_id, self_review_schools(user)),
        allows=lambda user, action, obj: action == "edit" and user.is_authenticated and obj.organisation_id in user.organisation_ids(Role.HEAD),
    ),
}
