"""The levels-of-need guidance: versions the administrator makes, the checklist on the referral form and
the level it suggests, the reason asked when the school's view differs, and the front door's level
required with every decision."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from portal.needs.models import NeedGuidance, NeedIndicator, ReferralNeedIndicator
from portal.referrals.models import Referral
from tests.admin.pages import page_text
from tests.contexts.support import row, rows
from tests.factories import _scope, make_pupil, make_referral
from tests.referrals.support import error_next_to, form
from tests.support import audit_events, signed_in_client

GUIDANCE = "/admin/settings/levels-of-need"
NEW = "/admin/settings/levels-of-need/new"


def _indicator(app, side, text: str, number: int | None = None) -> str:
    """The id of the indicator worded ``text`` (of version ``number``, default the latest)."""
    from portal.extensions import db
    from portal.needs.service import current_guidance

    with _scope(app, side):
        version = current_guidance() if number is None else db.session.execute(select(NeedGuidance).where(NeedGuidance.number == number)).scalar_one()
        db.session.commit()
        return str(next(i.id for i in version.indicators if i.text == text))


def _new_version_form(version: str = "1", **changes) -> dict:
    data = {
        "universal": "Development appropriate to age; attends school regularly",
        "early_help": "Persistent lateness or attendance below 90%\nParent struggling to set boundaries\nPoor school readiness at reception",
        "child_in_need": "Child's health or development likely to be significantly impaired without services",
        "child_protection": "Disclosure of physical or sexual abuse\nInjury with no credible explanation",
        "note": "Added school readiness after the partnership's review of early help referrals.",
        "version": version,
    }
    data.update(changes)
    return data


def _start(client, pupil_id) -> uuid.UUID:
    response = client.post(f"/referrals/new?pupil_id={pupil_id}", data={"submit": "Start the referral"})
    assert response.status_code == 302
    return uuid.UUID(response.headers["Location"].split("/referrals/")[1].split("/")[0])


def test_the_administrator_sees_the_first_version_and_the_settings_link(app, world):
    client = signed_in_client(app, world.a.admin)
    page = page_text(client.get(GUIDANCE))
    assert "In force now: version 1" in page
    assert "Persistent lateness or attendance below 90%" in page and "Injury with no credible explanation" in page
    assert "First version: the portal's example continuum of need." in page
    assert "Levels-of-need guidance" in page_text(client.get("/admin/settings"))
    # The new version's form starts from the one in force.
    html = client.get(NEW).get_data(as_text=True)
    assert "Parent struggling to set boundaries" in html and "Saving makes version 2" in page_text(client.get(NEW))


def test_a_level_left_empty_is_refused_next_to_its_field_and_no_version_is_made(app, world):
    client = signed_in_client(app, world.a.admin)
    client.get(NEW)
    html = client.post(NEW, data=_new_version_form(early_help=" \n ", note="")).get_data(as_text=True)
    assert error_next_to(html, "early_help") == "Enter at least one early help indicator"
    assert error_next_to(html, "note") == "Enter what changed and why"
    assert "Poor school readiness" not in html
    assert len(rows(app, world.a, NeedGuidance)) == 1


def test_a_referral_keeps_the_version_it_was_made_under(app, world):
    """Started and ticked under version 1, does the referral still show version 1's indicators after the
    administrator saves version 2, while a new referral uses version 2?"""
    dsl = signed_in_client(app, world.a.dsl1)
    referral_id = _start(dsl, make_pupil(app, world.a))
    lateness = _indicator(app, world.a, "Persistent lateness or attendance below 90%")
    dsl.post(f"/referrals/{referral_id}/edit", data=form(need_indicators=[lateness], school_view_level="early_help", save="Save as draft"))

    admin = signed_in_client(app, world.a.admin)
    assert admin.post(NEW, data=_new_version_form(early_help="Poor school readiness at reception")).status_code == 302
    v1, v2 = sorted(rows(app, world.a, NeedGuidance), key=lambda v: v.number)
    assert (v2.number, v2.created_by_id) == (2, world.a.admin.id)
    assert [e.details for e in audit_events(app, world.a.authority_id, "authority.need_guidance_changed")] == [{"version": 2}]
    listing = page_text(admin.get(GUIDANCE))
    assert "Version 2 of the levels-of-need guidance has been saved." in listing and "In force now: version 2" in listing
    old = page_text(admin.get(f"{GUIDANCE}/{v1.id}"))
    assert "Replaced by a later version" in old and "Persistent lateness or attendance below 90%" in old

    saved = row(app, world.a, Referral, referral_id)
    assert saved.need_guidance_id == v1.id
    draft = page_text(dsl.get(f"/referrals/{referral_id}/edit"))
    assert "version 1" in draft and "Persistent lateness or attendance below 90%" in draft and "Poor school readiness" not in draft
    # Sent and read by the front door: still version 1's indicator.
    sending = form(need_indicators=[lateness], school_view_level="early_help", version=str(saved.version), submit_referral="Submit referral")
    assert dsl.post(f"/referrals/{referral_id}/edit", data=sending).status_code == 302
    detail = page_text(signed_in_client(app, world.a.front_door).get(f"/referrals/{referral_id}"))
    assert "Ticked against version 1" in detail and "Persistent lateness or attendance below 90%" in detail

    newer = _start(dsl, make_pupil(app, world.a, legal_forename="Second"))
    assert row(app, world.a, Referral, newer).need_guidance_id == v2.id
    assert "Poor school readiness at reception" in page_text(dsl.get(f"/referrals/{newer}/edit"))


def test_the_page_suggests_the_highest_level_ticked_and_asks_why_the_schools_view_differs(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    referral_id = _start(dsl, make_pupil(app, world.a))
    ticked = [_indicator(app, world.a, "Parent struggling to set boundaries"), _indicator(app, world.a, "Injury with no credible explanation")]
    dsl.post(f"/referrals/{referral_id}/edit", data=form(need_indicators=ticked, school_view_level="early_help", save="Save as draft"))
    page = page_text(dsl.get(f"/referrals/{referral_id}/edit"))
    assert "The indicators ticked suggest: Child protection" in page
    with _scope(app, world.a):
        from portal.extensions import db

        stored = db.session.execute(select(NeedIndicator.text).join(ReferralNeedIndicator).where(ReferralNeedIndicator.referral_id == referral_id)).scalars()
        assert sorted(stored) == ["Injury with no credible explanation", "Parent struggling to set boundaries"]

    # Sent with the school's view lower than the suggestion and no reason: kept as a draft, asked why.
    version = str(row(app, world.a, Referral, referral_id).version)
    response = dsl.post(
        f"/referrals/{referral_id}/edit", data=form(need_indicators=ticked, school_view_level="early_help", version=version, submit_referral="Submit referral")
    )
    html = response.get_data(as_text=True)
    assert error_next_to(html, "school_view_reason") == "Say why the school thinks this is early help when the indicators ticked suggest child protection"
    assert row(app, world.a, Referral, referral_id).status.value == "draft"

    reason = "The injury was explained by the hospital: a fall at the trampoline park, seen by staff."
    response = dsl.post(
        f"/referrals/{referral_id}/edit",
        data=form(
            need_indicators=ticked,
            school_view_level="early_help",
            school_view_reason=reason,
            version=str(row(app, world.a, Referral, referral_id).version),
            submit_referral="Submit referral",
        ),
    )
    assert response.status_code == 302
    sent = row(app, world.a, Referral, referral_id)
    assert (sent.status.value, sent.school_view_reason) == ("submitted", reason)


def test_no_reason_is_asked_when_the_schools_view_is_the_suggestion_or_nothing_is_ticked(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    first = _start(dsl, make_pupil(app, world.a))
    ticked = [_indicator(app, world.a, "Persistent neglect despite early help")]
    assert dsl.post(f"/referrals/{first}/edit", data=form(need_indicators=ticked, submit_referral="Submit referral")).status_code == 302
    second = _start(dsl, make_pupil(app, world.a, legal_forename="Other"))
    assert dsl.post(f"/referrals/{second}/edit", data=form(submit_referral="Submit referral")).status_code == 302


def test_an_indicator_of_another_version_is_refused_and_nothing_is_saved(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    referral_id = _start(dsl, make_pupil(app, world.a))
    other = make_referral(app, world.a, make_pupil(app, world.a, legal_forename="Third"))
    assert other
    html = dsl.post(
        f"/referrals/{referral_id}/edit", data=form(need_indicators=["00000000-0000-4000-8000-000000000000"], what_happened="Typed now.", save="Save as draft")
    ).get_data(as_text=True)
    assert error_next_to(html, "need_indicators") == "The levels-of-need guidance was changed while you were writing. Check the indicators again."
    assert "Typed now." in html
    assert row(app, world.a, Referral, referral_id).what_happened == ""


def test_the_decision_needs_the_front_doors_level_and_records_it(app, world):
    from tests.referrals.test_workflow import ACKNOWLEDGED

    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    officer = signed_in_client(app, world.a.front_door)
    page = page_text(officer.get(f"/referrals/{referral_id}/decide"))
    assert "What level of need has the front door found?" in page and "Levels of need" in page
    response = officer.post(f"/referrals/{referral_id}/decide", data={"decision": "early_help", "reason": "Early help assessment led by the school."})
    html = response.get_data(as_text=True)
    assert error_next_to(html, "decision_level") == "Select the level of need the front door has found"
    assert 'value="early_help" checked' in html and "Early help assessment led by the school." in html
    assert row(app, world.a, Referral, referral_id).status.value == "acknowledged"

    data = {"decision": "early_help", "decision_level": "early_help", "reason": "Early help assessment led by the school."}
    assert officer.post(f"/referrals/{referral_id}/decide", data=data).status_code == 302
    decided = row(app, world.a, Referral, referral_id)
    assert (decided.status.value, decided.decision_level.value) == ("decided", "early_help")
    events = audit_events(app, world.a.authority_id, "referral.transition")
    assert events[-1].details["decision_level"] == "early_help"
    school_page = page_text(signed_in_client(app, world.a.dsl1).get(f"/referrals/{referral_id}"))
    assert "The front door's level Early help" in school_page
