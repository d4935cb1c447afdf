"""Child-protection file transfer (Keeping Children Safe in Education): when a pupil leaves, their DSL sends
the whole file to the new school within 5 school days, separately from the main pupil file, and sees it
received; the new school's DSL accepts it (the history joins the child's chronology there) and reviews it.
Between schools of one authority; to a school of another authority on the portal through the hand-over
between authorities (``handover``); to a school not on the portal through a one-time link with an access
code."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.accounts.models import Role
from portal.authorities.models import Duty
from portal.features import Feature, MenuEntry, holds


def _transfer_lead(user) -> bool:
    from portal.policies import has_duty

    return has_duty(user, Duty.TRANSFER_LEAD)  # the person's duties are read once per request, for every menu entry


FEATURE = Feature(
    name="transfers",
    models=("portal.transfers.models", "portal.transfers.handover"),
    blueprints=("portal.transfers.blueprint:bp",),
    pages=("portal.transfers.views.outgoing", "portal.transfers.views.incoming", "portal.transfers.views.outside", "portal.transfers.views.settings"),
    policy="portal.transfers.policy",
    jobs="portal.transfers.jobs",
    schedule=(
        Every("transfers.check_clock", timedelta(minutes=15)),
        Every("transfers.take_handovers", timedelta(minutes=5)),
        Every("transfers.collect_receipts", timedelta(minutes=5)),
        Every("transfers.dispose_sent_copies", timedelta(hours=1)),
    ),
    actions="portal.transfers.actions:Action",
    stored_files=("portal.transfers.service:stored_files",),
    menu=(
        MenuEntry("Transfers", "transfers.index", 55, holds(Role.DSL, Role.HEAD), current=("transfers.",), not_current=("transfers.overdue",)),
        MenuEntry("Overdue transfers", "transfers.overdue", 145, _transfer_lead, current=("transfers.overdue",)),
    ),
)
