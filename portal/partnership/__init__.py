"""What the contextual workspaces share: invitations, participants, plan actions with owners and
due dates, optimistic locking and the overdue-actions job."""

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
