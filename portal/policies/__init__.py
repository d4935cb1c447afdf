"""Who may see and do what: the one import point.

Tenant isolation (another authority's rows) is automatic and happens below this package (``tenants``).
This package decides need-to-know *inside* an authority. Each model has a :class:`Policy`: ``visible(user)``
is a SQL filter of the rows the user may see, ``allows(user, action, obj)`` says whether they may do
``action`` to one of them. Each feature states the rows of its models in its own ``policy.py``
(``POLICIES``, with its named gates such as the summit organiser or the network lead); create_app
registers them, and a test fails for a tenant model without one. Every list and fetch in the views goes
through :func:`visible_query` or :func:`get_or_404`, so a page cannot show a row its policy does not
allow.

A refusal is audited: an id the user may not see is a 404 (existence is not leaked), a visible object
they may not act on is a 403. Reads of models marked ``sensitive`` are audited too.

Here: the mechanism (``base``), the shared audiences every feature's rows are written in (``audiences``),
fetching or refusing (``access``).
"""

from __future__ import annotations

from jobs.models import OutboxJob
from portal.policies.access import deny_page, get_or_404, not_found, object_type_name, require, roles_required
from portal.policies.audiences import (
    CASEWORK_ROLES,
    SOCIAL_CARE_ROLES,
    casework_organisations,
    casework_schools,
    has_duty,
    invitable_organisations,
    is_front_door,
    is_panel_member,
    is_social_care,
    staff_schools,
)
from portal.policies.base import (
    Person,
    Policy,
    admin_may,
    admin_only,
    child_of,
    is_admin,
    never,
    nobody,
    policy_for,
    register,
    registered,
    visible_query,
    within,
)

__all__ = [
    "CASEWORK_ROLES",
    "SOCIAL_CARE_ROLES",
    "Person",
    "Policy",
    "admin_may",
    "admin_only",
    "casework_organisations",
    "casework_schools",
    "child_of",
    "deny_page",
    "get_or_404",
    "has_duty",
    "invitable_organisations",
    "is_admin",
    "is_front_door",
    "is_panel_member",
    "is_social_care",
    "never",
    "nobody",
    "not_found",
    "object_type_name",
    "policy_for",
    "register",
    "registered",
    "require",
    "roles_required",
    "staff_schools",
    "visible_query",
    "within",
]

# The outbox is infrastructure (jobs/), below every feature: its rows are internal records no page shows.
register({OutboxJob: Policy(visible=nobody, allows=never)})
