"""Context referrals (a school, a peer group or a place as the context of harm), the authority's
threshold indicators, and the context panel that decides on them and opens the chosen workspace."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.authorities.models import Duty
from portal.features import Feature, MenuEntry, holds

#: Who works with context referrals: schools' DSLs and heads, social care and partner agencies.
CONTEXTUAL_ROLES = (Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER)


def _on_the_panel(user) -> bool:
    from portal.policies import has_duty

    return user.has_role(Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER) or has_duty(user, Duty.CONTEXT_PANEL_MEMBER)


FEATURE = Feature(
    name="contexts",
    models=("portal.contexts.models",),
    pages=(
        "portal.contexts.views.raising",
        "portal.contexts.views.referrals",
        "portal.contexts.views.panel",
        "portal.contexts.views.attendance",
        "portal.contexts.views.thresholds",
    ),
    blueprints=("portal.contexts.blueprint:bp",),
    policy="portal.contexts.policy",
    actions="portal.contexts.actions:Action",
    menu=(
        MenuEntry(
            "Context referrals",
            "contexts.index",
            80,
            holds(*CONTEXTUAL_ROLES),
            current=("contexts.index", "contexts.new", "contexts.detail", "contexts.decide"),
        ),
        MenuEntry("Context panel", "contexts.panel", 140, _on_the_panel, current=("contexts.panel",)),
    ),
)
