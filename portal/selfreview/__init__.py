"""Self-review and assurance: a school's review against the seeds' questions (RAG ratings, evidence,
a development plan, year on year), the governor report of counts only, the training and review dates."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="selfreview",
    models=("portal.selfreview.models",),
    pages=(
        "portal.selfreview.views.reviews",
        "portal.selfreview.views.review",
        "portal.selfreview.views.comparison",
        "portal.selfreview.views.governor",
    ),
    blueprints=("portal.selfreview.blueprint:bp",),
    policy="portal.selfreview.policy",
    actions="portal.selfreview.actions:Action",
    menu=(
        MenuEntry(
            "Self-review",
            "selfreview.index",
            160,
            holds(Role.HEAD, Role.GOVERNOR),
            current=("selfreview.index", "selfreview.review", "selfreview.answer", "selfreview.plan", "selfreview.action_edit", "selfreview.compare"),
        ),
        MenuEntry(
            "Governor report",
            "selfreview.governor_start",
            170,
            holds(Role.HEAD, Role.GOVERNOR),
            current=("selfreview.governor_start", "selfreview.governor_report", "selfreview.assurance_dates"),
        ),
        # Counts across schools, never a school's notes.
        MenuEntry("Self-review across schools", "selfreview.distribution", 180, holds(Role.AUTHORITY_ADMIN), current=("selfreview.distribution",)),
    ),
)
