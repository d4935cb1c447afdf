"""What the contextual workspaces share: invitations, participants, plan actions with owners and
due dates (``service``), who sees them (``policy``, ``audiences``) and the overdue-actions job. It has no
pages of its own: the pages and services of summits, meetings, the context panel and school assessments
call these steps."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.features import Feature

FEATURE = Feature(
    name="partnership",
    models=("portal.partnership.models",),
    policy="portal.partnership.policy",
    jobs="portal.partnership.jobs",
    schedule=(Every("partnership.overdue_actions", timedelta(hours=1)),),
    actions="portal.partnership.actions:Action",
)
