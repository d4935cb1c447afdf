"""The dashboard's "schools as contexts" section: open context referrals by level and age, what is
coming up, overdue actions by owner — each counted only from what the person may see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.clock import travel
from portal.contexts.models import ContextReferral, ContextSubject
from portal.contexts.service import current_thresholds
from portal.extensions import db
from portal.partnership.models import Invitation, InvitationStatus, PlanAction
from portal.summits.models import SafetySummit
from portal.vocabulary import Level
from tenants import tenant_scope
from tests.support import sign_in, text_of

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=UTC)


def _referral(side, level: Level, raised: datetime, school):
    thresholds = current_thresholds()
    referral = ContextReferral(
        organisation_id=school,
        subject=ContextSubject.PEER_GROUP,
        subject_description="A group of Year 9 pupils",
        concern="Pupils are being approached by older males outside the school gates.",
        threshold_set_id=thresholds.id,
        suggested_level=level,
        agrees_with_suggestion=True,
        referrer_level=level,
        level_reason="Several incidents this half term.",
        raised_by_id=side.front_door.id,
        raised_by_organisation_id=side.social_care,
        created_at=raised,
    )
    db.session.add(referral)


def _build(app, side):
    with app.app_context(), tenant_scope(side.authority_id):
        _referral(side, Level.CHILD_IN_NEED, NOW - timedelta(days=2), side.school1)
        _referral(side, Level.CHILD_IN_NEED, NOW - timedelta(days=10), side.school1)
        _referral(side, Level.CHILD_PROTECTION, NOW - timedelta(days=40), side.school2)
        summit = SafetySummit(
            host_organisation_id=side.school1,
            title="Summer safety summit",
            starts_at=NOW + timedelta(days=7),
            ends_at=NOW + timedelta(days=7, hours=4),
            created_by_id=side.front_door.id,
        )
        db.session.add(summit)
        db.session.flush()
        db.session.add(
            Invitation(
                summit_id=summit.id,
                organisation_id=side.police,
                invited_by_id=side.front_door.id,
                status=InvitationStatus.ACCEPTED,
                responded_by_id=side.partner.id,
                responded_at=NOW,
            )
        )
        for days, owner in ((3, {"owner_user_id": side.partner.id}), (9, {"owner_user_id": side.partner.id}), (1, {"owner_organisation_id": side.school1})):
            db.session.add(
                PlanAction(
                    summit_id=summit.id,
                    description="Walk the route at home time",
                    due_on=date(2026, 6, 17) - timedelta(days=days),
                    created_by_id=side.front_door.id,
                    **owner,
                )
            )
        # Not overdue: due today.
        db.session.add(
            PlanAction(
                summit_id=summit.id, description="Tell the students", due_on=date(2026, 6, 17), owner_user_id=side.dsl1.id, created_by_id=side.front_door.id
            )
        )
        db.session.commit()


def _dashboard(app, person) -> str:
    client = app.test_client()
    with travel(NOW):
        sign_in(client, person)
        response = client.get("/dashboard")
    assert response.status_code == 200
    return text_of(response)


def _row(text: str, label: str) -> str:
    start = text.index(label)
    return text[start : start + 120]


def test_the_front_door_sees_open_context_referrals_by_level_and_age(app, world):
    _build(app, world.a)
    text = _dashboard(app, world.a.front_door)
    assert "3 awaiting a panel decision" in text
    # Child in need: one under a week, one between 1 and 4 weeks; child protection: one over 4 weeks.
    assert _row(text, "Child in need").split()[3:7] == ["1", "1", "0", "2"]
    assert _row(text, "Child protection").split()[2:6] == ["0", "0", "1", "1"]
    assert "Summer safety summit" in text
    assert "3 overdue actions" in text


def test_overdue_actions_are_grouped_by_owner_and_today_is_not_overdue(app, world):
    _build(app, world.a)
    text = _dashboard(app, world.a.front_door)
    table = text[text.index("Overdue actions, by owner") :]
    owner_row = _row(table, world.a.partner.full_name)
    assert owner_row.split()[len(world.a.partner.full_name.split())] == "2"
    assert "Avonford Primary School" in table
    assert world.a.dsl1.full_name not in table  # due today: not overdue


def test_an_invited_partner_sees_the_summit_and_an_uninvited_one_does_not(app, world):
    _build(app, world.a)
    invited = _dashboard(app, world.a.partner)
    assert "Summer safety summit" in invited
    assert "No context referrals are awaiting a panel decision" in invited
    uninvited = _dashboard(app, world.a.partner2)
    assert "Summer safety summit" not in uninvited
    assert "No actions are overdue" in uninvited


def test_a_school_counts_only_context_referrals_about_it(app, world):
    _build(app, world.a)
    text = _dashboard(app, world.a.dsl2)
    assert "1 awaiting a panel decision" in text
    assert "Summer safety summit" not in text


def test_the_other_authority_sees_none_of_it(app, world):
    _build(app, world.a)
    text = _dashboard(app, world.b.front_door)
    assert "No context referrals are awaiting a panel decision" in text
    assert "Summer safety summit" not in text
    assert "No actions are overdue" in text
