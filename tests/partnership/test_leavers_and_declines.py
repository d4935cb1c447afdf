"""A listing in a workspace lasts only while the person still belongs to an organisation taking part; an
organisation that declined sees no more than that it declined."""

from __future__ import annotations

from sqlalchemy import delete

from portal.accounts.models import Membership
from portal.clock import utcnow
from portal.extensions import db
from tenants import tenant_scope
from tests.meetings.support import make_meeting
from tests.summits.support import add_person, invite, make_summit
from tests.support import sign_in, text_of
from tests.world import add_membership


def _move(app, side, person, to_school, role: str = "dsl") -> None:
    """``person`` leaves their school for ``to_school`` (their memberships replaced)."""
    with app.app_context(), tenant_scope(side.authority_id):
        db.session.execute(delete(Membership).where(Membership.user_id == person.id))
        db.session.commit()
    add_membership(app, person, role, to_school)


def _get(app, person, url):
    client = app.test_client()
    sign_in(client, person)
    return client.get(url)


def test_a_dsl_who_moves_school_loses_the_old_schools_meeting_papers(app, world):
    side = world.a
    meeting_id = make_meeting(app, side, accepted=("front_door", "dsl1"))
    before = _get(app, side.dsl1, f"/meetings/{meeting_id}")
    assert before.status_code == 200 and "Minutes" in text_of(before)
    _move(app, side, side.dsl1, side.school2)
    assert _get(app, side.dsl1, f"/meetings/{meeting_id}").status_code == 404


def test_a_summit_facilitator_who_moves_school_loses_the_summit(app, world):
    side = world.a
    summit_id = make_summit(app, side, host="school1")
    add_person(app, side, summit_id, "staff1", "facilitator")
    assert _get(app, side.staff1, f"/summits/{summit_id}").status_code == 200
    _move(app, side, side.staff1, side.school2, role="staff")
    assert _get(app, side.staff1, f"/summits/{summit_id}").status_code == 404


def test_a_partner_listed_in_a_summit_keeps_it_only_while_the_organisation_has_accepted(app, world):
    side = world.a
    summit_id = make_summit(app, side, host="school1")
    add_person(app, side, summit_id, "partner", "facilitator")
    # Listed, but the police never accepted: the listing alone gives nothing.
    assert _get(app, side.partner, f"/summits/{summit_id}").status_code == 404
    invite(app, side, summit_id, "police", "accepted")
    assert _get(app, side.partner, f"/summits/{summit_id}").status_code == 200


def test_an_organisation_that_declined_a_meeting_no_longer_sees_it(app, world):
    side = world.a
    meeting_id = make_meeting(app, side, invited={"police": "declined", "health": "invited"})
    assert _get(app, side.partner, f"/meetings/{meeting_id}").status_code == 404
    assert _get(app, side.partner2, f"/meetings/{meeting_id}").status_code == 200


def test_the_dashboard_lists_no_summit_an_organisation_declined_or_has_not_answered(app, world):
    from datetime import timedelta

    side = world.a
    soon = utcnow() + timedelta(days=3)
    declined = make_summit(app, side, title="Declined summit", starts_at=soon, ends_at=soon + timedelta(hours=3))
    waiting = make_summit(app, side, title="Waiting summit", starts_at=soon, ends_at=soon + timedelta(hours=3))
    accepted = make_summit(app, side, title="Accepted summit", starts_at=soon, ends_at=soon + timedelta(hours=3))
    invite(app, side, declined, "police", "declined")
    invite(app, side, waiting, "police")
    invite(app, side, accepted, "police", "accepted")
    text = text_of(_get(app, side.partner, "/dashboard"))
    assert "Accepted summit" in text
    assert "Declined summit" not in text and "Waiting summit" not in text
