"""School partnership meetings: the school's pre-meeting return, attendees from several agencies, the
information-sharing agreement, minutes and actions."""

from __future__ import annotations

from portal.contexts import CONTEXTUAL_ROLES
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="meetings",
    models=("portal.meetings.models",),
    pages=(
        "portal.meetings.views.list",
        "portal.meetings.views.detail",
        "portal.meetings.views.editing",
        "portal.meetings.views.attendees",
        "portal.meetings.views.actions",
    ),
    blueprints=("portal.meetings.blueprint:bp",),
    policy="portal.meetings.policy",
    actions="portal.meetings.actions:Action",
    menu=(MenuEntry("Partnership meetings", "meetings.index", 100, holds(*CONTEXTUAL_ROLES), current=("meetings.",)),),
)
