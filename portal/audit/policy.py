"""The audit log: the authority's administrators read it; nobody changes it."""

from __future__ import annotations

from portal.audit.models import AuditEvent
from portal.policies import Policy, admin_only, never

POLICIES: dict[type, Policy] = {
    AuditEvent: Policy(visible=admin_only, allows=never),
}
