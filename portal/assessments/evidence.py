"""The evidence behind the triangle: an assessment's findings in the triangle's order, each domain's
balance of strengths and risks, and the links between its methods and findings. Shared by the triangle,
the methods pages and the report; each query goes through the policies (``visible_query``) for the person
given (default: the current user)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from portal.assessments.models import AssessmentFinding, AssessmentMethod, Domain, MethodFinding, Rating
from portal.assessments.triangle_forms import DOMAIN_HINTS
from portal.clock import uk_date
from portal.extensions import db
from portal.policies import visible_query

_DOMAIN_ORDER = {domain: n for n, domain in enumerate(Domain)}


@dataclass
class Balance:
    """One domain of the triangle: its findings and how many are strengths, risks and significant concerns."""

    domain: Domain
    hint: str
    findings: list = field(default_factory=list)

    @property
    def strengths(self) -> int:
        return sum(1 for f in self.findings if f.is_strength)

    @property
    def risks(self) -> int:
        return len(self.findings) - self.strengths

    @property
    def significant_concerns(self) -> int:
        return sum(1 for f in self.findings if f.rating == Rating.SIGNIFICANT_CONCERN)


def balances(findings) -> list[Balance]:
    """The three domains in the triangle's order, each with its findings (oldest first): for the triangle
    and the report."""
    by_domain = {d: Balance(d, DOMAIN_HINTS[d]) for d in Domain}
    for finding in sorted(findings, key=lambda f: f.created_at):
        by_domain[finding.domain].findings.append(finding)
    return list(by_domain.values())


def assessment_findings(assessment_id, user=None) -> list[AssessmentFinding]:
    """The assessment's findings, by domain (in the triangle's order), oldest first."""
    query = visible_query(AssessmentFinding, user).where(AssessmentFinding.assessment_id == assessment_id)
    return sorted(db.session.execute(query).unique().scalars(), key=lambda f: (_DOMAIN_ORDER[f.domain], f.created_at))


def finding_links(assessment_id, user=None) -> list[tuple[MethodFinding, AssessmentMethod]]:
    """Every link between a method and a finding of the assessment, in one query."""
    query = (
        visible_query(MethodFinding, user)
        .join(AssessmentMethod, AssessmentMethod.id == MethodFinding.method_id)
        .where(AssessmentMethod.assessment_id == assessment_id)
        .add_columns(AssessmentMethod)
        .order_by(AssessmentMethod.held_on, AssessmentMethod.created_at)
    )
    return db.session.execute(query).all()


def supported_by(assessment_id, user=None) -> dict:
    """finding id -> the methods that support it, as "kind, date" (oldest first): for the triangle."""
    out = defaultdict(list)
    for link, method in finding_links(assessment_id, user):
        out[link.finding_id].append(f"{method.kind.label}, {uk_date(method.held_on)}")
    return out
