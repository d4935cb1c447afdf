"""Child-protection file transfer (Keeping Children Safe in Education): when a pupil leaves, their DSL sends
the whole file to the new school within 5 school days, separately from the main pupil file, and sees it
received; the new school's DSL accepts it (the history joins the child's chronology there) and reviews it.
Between schools of one authority, and to a school not on the portal through a one-time link with an access
code; another authority on the portal is to come."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="transfers",
    models=("portal.transfers.models",),
    blueprints=("portal.transfers.blueprint:bp",),
    pages=("portal.transfers.views.outgoing", "portal.transfers.views.incoming", "portal.transfers.views.outside"),
    policy="portal.transfers.policy",
    jobs="portal.transfers.jobs",
    schedule=(Every("transfers.check_clock", timedelta(minutes=15)),),
    actions="portal.transfers.actions:Action",
    menu=(MenuEntry("Transfers", "transfers.index", 55, holds(Role.DSL, Role.HEAD), current=("transfers.",)),),
)
