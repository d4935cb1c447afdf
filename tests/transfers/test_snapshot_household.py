"""The child-protection file that follows a child keeps what each referral said about who the child lives
with and the professionals involved."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_pupil, make_referral


def test_the_file_keeps_each_referrals_household_agencies_and_consent(app, world):
    from portal.authorities.models import Organisation
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.referrals import household
    from portal.referrals.models import AgencyType, Consent, PersonKind, Referral
    from portal.transfers import snapshot
    from tenants import tenant_scope

    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(
        app,
        world.a,
        pupil_id,
        address="3 Canal Side, Avonford",
        lives_with="Dad and his partner",
        consent=Consent.SOUGHT_GIVEN,
        steps=(("submit", "dsl1"),),
    )
    with app.app_context(), tenant_scope(world.a.authority_id, user_id=world.a.dsl1.id):
        referral = db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one()
        household.add_person(referral, PersonKind.HOUSEHOLD, household.PersonAnswers(name="Gary Fenn", relationship="Father"), actor_id=world.a.dsl1.id)
        household.add_agency(referral, household.AgencyAnswers(agency_type=AgencyType.SCHOOL_NURSE, professional_name="Jo Price"), actor_id=world.a.dsl1.id)
        db.session.flush()
        pupil = db.session.get(Pupil, pupil_id)
        school = db.session.get(Organisation, world.a.school1)
        content = snapshot.build(pupil, school=school, sent_by=None, destination="Brookfield Academy")
        db.session.rollback()
    from portal.referrals.models import Consent

    [sent] = content["referrals"]
    assert (sent["address"], sent["lives_with"]) == ("3 Canal Side, Avonford", "Dad and his partner")
    assert sent["consent"] == Consent.SOUGHT_GIVEN.label
    assert len(sent["household"]) == 1 and sent["household"][0].startswith("Gary Fenn")
    assert len(sent["agencies"]) == 1 and "Jo Price" in sent["agencies"][0]
