"""Demo transfers of child-protection files: an Oakfield pupil leaving for Riverside Academy whose file is
still to be sent (the clock running), another whose file Oakfield has sent and Riverside's DSL has
accepted, the review still to do, and a third whose file went to a college not on the portal (its link
emailed, the receipt awaited; the access code was shown once, so the demo DSL sends a new link to try it). The authority's February half term is in its school holidays, so the
clock skips it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, select

NOTE = (
    "Early help with the school since older pupils filmed and threatened the child; the police were told about "
    "the film. Weekly check-ins with the learning mentor have helped: please keep them going, and meet mum in "
    "the first week."
)


def seed_transfers(organisations: dict, users: dict) -> int:
    """Add the demo transfers for one authority (in its tenant scope) if it has none. Returns how many."""
    from portal.casework.models import ChronologyEntry, SchoolHoliday
    from portal.clock import uk_today
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.transfers import service
    from portal.transfers.jobs import deliver
    from portal.transfers.models import IncomingTransfer, PupilTransfer

    if db.session.execute(select(func.count()).select_from(PupilTransfer)).scalar_one():
        return 0
    if not db.session.execute(select(func.count()).select_from(SchoolHoliday)).scalar_one():
        year = uk_today().year + (uk_today().month > 2)
        db.session.add(SchoolHoliday(name="February half term", first_day=date(year, 2, 15), last_day=date(year, 2, 19)))
    oakfield, riverside, dsl = organisations["oakfield"], organisations["riverside"], users["dsl.oakfield"]
    at_oakfield = select(Pupil).where(Pupil.organisation_id == oakfield.id).order_by(Pupil.legal_surname, Pupil.legal_forename)
    # Leaving soon: a pupil with nothing recorded yet. Gone: the pupil with the second-longest chronology
    # (the longest stays at Oakfield, where the chronology is shown off).
    quiet, moving_away = db.session.execute(at_oakfield.where(~exists().where(ChronologyEntry.pupil_id == Pupil.id))).unique().scalars().all()[:2]
    lines = func.count(ChronologyEntry.id)
    by_length = select(ChronologyEntry.pupil_id).where(ChronologyEntry.organisation_id == oakfield.id).group_by(ChronologyEntry.pupil_id)
    ranked = db.session.execute(by_length.order_by(lines.desc(), ChronologyEntry.pupil_id).limit(2)).scalars().all()
    on_plan = db.session.get(Pupil, ranked[-1])
    service.record_leaving(quiet, leaving_on=uk_today() + timedelta(days=14), destination=riverside, confirmed=True, actor_id=dsl.id)
    sent = service.record_leaving(on_plan, leaving_on=uk_today() - timedelta(days=1), destination=riverside, confirmed=True, actor_id=dsl.id)
    transfer_file, _ = service.send(sent, note=NOTE, actor=dsl)
    db.session.flush()
    deliver(str(transfer_file.id))  # as the job would
    # Riverside's DSL has accepted it (the pupil added to its register); the review is still to do.
    incoming = db.session.execute(select(IncomingTransfer).where(IncomingTransfer.source_transfer_id == sent.id)).unique().scalar_one()
    service.accept(incoming, pupil=None, actor=users["dsl.riverside"])
    college = service.OutsideSchool(name="St Aidan's Sixth Form College", urn="139876", dsl="Morgan Reese", email="m.reese@st-aidans.example.org")
    away = service.record_leaving(moving_away, leaving_on=uk_today() - timedelta(days=2), destination=college, confirmed=True, actor_id=dsl.id)
    away_file, _ = service.send(away, note="No open concerns. Mum asked for a fresh start; the family moved for work.", actor=dsl)
    db.session.flush()
    deliver(str(away_file.id))  # the link emailed, as the job would
    return 3


def seed_handover(school_id, dsl_id) -> int:
    """An Oakfield pupil leaving for a school of another authority on the portal (Southmoor), the file sent:
    handed over, waiting for that authority to take it in (its intake runs every 5 minutes under ``make
    run``). Added once."""
    from portal.accounts.models import User
    from portal.authorities.models import Organisation
    from portal.clock import uk_today
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.transfers import service
    from portal.transfers.jobs import deliver
    from portal.transfers.models import DestinationKind, PupilTransfer
    from tenants.directory import other_authorities_schools

    oakfield, dsl = db.session.get(Organisation, school_id), db.session.get(User, dsl_id)
    if db.session.execute(select(PupilTransfer.id).where(PupilTransfer.destination_kind == DestinationKind.OTHER_AUTHORITY)).first() is not None:
        return 0
    directory = other_authorities_schools(db.session, oakfield.authority_id)
    if not directory:
        return 0
    authority_id, school_id, name, urn, authority_name = directory[0]
    leaving = select(PupilTransfer.pupil_id)
    pupil = (
        db.session.execute(
            select(Pupil)
            .where(Pupil.organisation_id == oakfield.id, Pupil.id.not_in(leaving))
            .order_by(Pupil.legal_surname.desc(), Pupil.legal_forename)
            .limit(1)
        )
        .unique()
        .scalar_one()
    )
    destination = service.OtherAuthoritySchool(authority_id=authority_id, id=school_id, name=name, urn=urn, authority_name=authority_name)
    transfer = service.record_leaving(pupil, leaving_on=uk_today() + timedelta(days=3), destination=destination, confirmed=True, actor_id=dsl.id)
    sent, _ = service.send(transfer, note="Moving to live with grandparents. No open plan; a worry about attendance in the autumn.", actor=dsl)
    db.session.flush()
    deliver(str(sent.id))  # handed over, as the job would
    return 1
