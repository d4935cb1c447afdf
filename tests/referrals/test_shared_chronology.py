"""The child's chronology shared with a referral: the DSL chooses when sending it (yes unless they say
why not); the front door reads it, read-only, from the referral while it is open and for a set time after
the decision, every view audited; the rest of the school's records stay closed."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import travel, utcnow
from tests.admin.pages import page_text
from tests.factories import make_concern, make_pupil, make_referral
from tests.referrals.support import error_next_to, form, referral
from tests.support import audit_events, sign_in

SUBMITTED = (("submit", "dsl1"),)
DECIDED = (("submit", "dsl1"), ("acknowledge", "front_door"), ("decide", "front_door"))


def _client(app, person):
    client = app.test_client()
    sign_in(client, person)
    return client


def _pupil_with_history(app, side, school="school1"):
    """A pupil with a concern on their chronology, its substance as a concern's line keeps it."""
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.extensions import db
    from tenants import tenant_scope

    pupil_id = make_pupil(app, side, school=school)
    concern_id = make_concern(app, side, pupil_id, school=school)
    with app.app_context(), tenant_scope(side.authority_id):
        chronology.add(
            pupil_id=pupil_id,
            organisation_id=getattr(side, school),
            kind=EntryKind.TRIAGE,
            title="DSL triage: monitor",
            substance=chronology.lines(("What was seen or heard", "Came in with a bruise on her cheek; said she walked into a door.")),
            object_type="concern",
            object_id=concern_id,
        )
        db.session.commit()
    return pupil_id


def test_the_chronology_is_shared_by_default_and_the_front_door_reads_it_from_the_referral(app, world):
    """Sent with the form's default ("yes"), does the front door find a link on the referral to the child's
    chronology, read its lines with their substance (read-only: no marking, no record links but the
    referral's), and is each view audited with the referral and the number of lines?"""
    pupil_id = _pupil_with_history(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    dsl = _client(app, world.a.dsl1)
    edit = dsl.get(f"/referrals/{referral_id}/edit").get_data(as_text=True)
    assert 'name="chronology_shared" type="radio" value="yes" checked' in edit
    assert dsl.post(f"/referrals/{referral_id}/edit", data=form(chronology_shared="yes", submit_referral="Submit referral")).status_code == 302
    assert referral(app, world.a, referral_id).chronology_shared is True

    front_door = _client(app, world.a.front_door)
    detail = page_text(front_door.get(f"/referrals/{referral_id}"))
    assert "Read Jordan Example's chronology" in detail and "shared by the school with this referral" in detail
    page = front_door.get(f"/referrals/{referral_id}/chronology")
    assert page.status_code == 200
    text = page_text(page)
    assert "Came in with a bruise on her cheek; said she walked into a door." in text
    assert "Concern logged" in text and "Submitted by the school" in text
    html = page.get_data(as_text=True)
    assert "Mark as significant" not in html and "/concerns/" not in html
    [event] = audit_events(app, world.a.authority_id, "referral.chronology_read")
    assert event.actor_id == world.a.front_door.id and event.object_id == str(referral_id)
    assert event.details["pupil_id"] == str(pupil_id) and event.details["lines"] == 3
    # The rest of the school's records stay closed: the child's record and the concern itself.
    assert front_door.get(f"/pupils/{pupil_id}/chronology").status_code == 404
    assert front_door.get(f"/pupils/{pupil_id}").status_code == 404


def test_not_sharing_needs_a_reason_and_then_the_front_door_cannot_read_it(app, world):
    """Is "No" without a reason refused next to the field (the draft keeps the answer), and once sent with a
    reason, does the front door see the reason and get no chronology (404 or 403, audited)?"""
    pupil_id = _pupil_with_history(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    dsl = _client(app, world.a.dsl1)
    response = dsl.post(f"/referrals/{referral_id}/edit", data=form(chronology_shared="no", submit_referral="Submit referral"))
    assert response.status_code == 200
    assert error_next_to(response.get_data(as_text=True), "chronology_not_shared_reason") == "Enter why the front door should not read the child's chronology"
    saved = referral(app, world.a, referral_id)
    assert saved.status.value == "draft" and saved.chronology_shared is False

    reason = "The chronology records a disclosure about a relative who works in the front door's service."
    data = form(chronology_shared="no", chronology_not_shared_reason=reason, submit_referral="Submit referral", version=str(saved.version))
    assert dsl.post(f"/referrals/{referral_id}/edit", data=data).status_code == 302
    assert referral(app, world.a, referral_id).chronology_not_shared_reason == reason

    front_door = _client(app, world.a.front_door)
    detail = page_text(front_door.get(f"/referrals/{referral_id}"))
    assert reason in detail and "Read Jordan Example's chronology" not in detail
    assert front_door.get(f"/referrals/{referral_id}/chronology").status_code in (403, 404)
    assert [e.action for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")] == ["access.denied"]
    assert audit_events(app, world.a.authority_id, "referral.chronology_read") == []


def test_sharing_ends_a_set_time_after_the_decision(app, world):
    """Can the front door still read it 27 days after the decision, and no longer after 28 (nor find its
    lines through any query)?"""
    from portal.referrals.policy import CHRONOLOGY_SHARED_DAYS

    pupil_id = _pupil_with_history(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id, steps=DECIDED)
    decided_at = referral(app, world.a, referral_id).decided_at
    with travel(decided_at + timedelta(days=CHRONOLOGY_SHARED_DAYS - 1)):
        front_door = _client(app, world.a.front_door)
        assert front_door.get(f"/referrals/{referral_id}/chronology").status_code == 200
        assert "until" in page_text(front_door.get(f"/referrals/{referral_id}"))
    with travel(decided_at + timedelta(days=CHRONOLOGY_SHARED_DAYS, minutes=1)):
        front_door = _client(app, world.a.front_door)
        assert front_door.get(f"/referrals/{referral_id}/chronology").status_code in (403, 404)
        assert "Read Jordan Example's chronology" not in page_text(front_door.get(f"/referrals/{referral_id}"))
        assert _visible_lines(app, world.a, world.a.front_door, pupil_id) == 0
    assert _visible_lines(app, world.a, world.a.front_door, pupil_id) > 0


def _visible_lines(app, side, person, pupil_id) -> int:
    from sqlalchemy import func, select

    from portal.accounts.models import User
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from portal.policies import policy_for
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        person = db.session.get(User, person.id)
        query = select(func.count()).select_from(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id, policy_for(ChronologyEntry).visible(person))
        return db.session.execute(query).scalar_one()


def test_only_the_referring_schools_lines_of_that_child_are_shared(app, world):
    """With one child's chronology shared, are another child's lines at the same school, and a draft's
    child's lines, still closed to the front door?"""
    shared_child = _pupil_with_history(app, world.a)
    other_child = _pupil_with_history(app, world.a)
    draft_child = _pupil_with_history(app, world.a)
    make_referral(app, world.a, shared_child, steps=SUBMITTED)
    draft = make_referral(app, world.a, draft_child)
    assert _visible_lines(app, world.a, world.a.front_door, shared_child) > 0
    assert _visible_lines(app, world.a, world.a.front_door, other_child) == 0
    assert _visible_lines(app, world.a, world.a.front_door, draft_child) == 0
    assert _client(app, world.a.front_door).get(f"/referrals/{draft}/chronology").status_code == 404


def test_outsiders_never_read_a_shared_chronology(app, world):
    """Another authority's front door (404), the school's own DSL (who reads it on the child's record: not
    here), another school's DSL, a governor, a partner and the administrator are refused, each audited."""
    referral_id = make_referral(app, world.a, _pupil_with_history(app, world.a), steps=SUBMITTED)
    assert _client(app, world.b.front_door).get(f"/referrals/{referral_id}/chronology").status_code == 404
    for key in ("dsl1", "dsl2", "governor1", "partner", "admin", "staff1"):
        response = _client(app, getattr(world.a, key)).get(f"/referrals/{referral_id}/chronology")
        assert response.status_code in (403, 404), key
    refusals = [e for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")]
    assert len(refusals) == 6
    assert audit_events(app, world.a.authority_id, "referral.chronology_read") == []


def test_the_choice_is_kept_on_the_chronology_with_the_referral(app, world):
    """Does the chronology line for the sent referral say whether the chronology was shared?"""
    from sqlalchemy import select

    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants import tenant_scope

    pupil_id = make_pupil(app, world.a)
    make_referral(app, world.a, pupil_id, steps=SUBMITTED)
    with app.app_context(), tenant_scope(world.a.authority_id):
        entry = db.session.execute(
            select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id, ChronologyEntry.title == "Submitted by the school")
        ).scalar_one()
        parts = {part["label"]: part["text"] for part in entry.substance}
    assert parts["The child's chronology"] == "Shared with the front door, read-only, with this referral"
    assert utcnow()  # the clock is the test clock


def test_the_shared_chronology_costs_the_same_with_few_lines_or_many(app, world):
    """One page of the shared chronology: the same number of statements with 2 lines by one author as with
    30 lines by several (no statement per line or per author)."""
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.extensions import db
    from tenants import tenant_scope
    from tests.support import page_queries

    few = make_referral(app, world.a, _pupil_with_history(app, world.a), steps=SUBMITTED)
    busy_pupil = _pupil_with_history(app, world.a)
    with app.app_context(), tenant_scope(world.a.authority_id):
        for n in range(30):
            chronology.add(
                pupil_id=busy_pupil,
                organisation_id=world.a.school1,
                kind=EntryKind.MANUAL,
                title=f"Phone call {n}",
                substance=chronology.lines(("Summary", f"Call number {n} with the family.")),
                object_type="manual_entry",
                object_id=busy_pupil,
                actor_id=(world.a.dsl1, world.a.head1, world.a.staff1)[n % 3].id,
            )
        db.session.commit()
    many = make_referral(app, world.a, busy_pupil, steps=SUBMITTED)
    client = _client(app, world.a.front_door)
    client.get(f"/referrals/{few}/chronology")  # warm: the first page of a session loads its caches
    small, _ = page_queries(app, client, f"/referrals/{few}/chronology")
    large, page = page_queries(app, client, f"/referrals/{many}/chronology")
    assert "Phone call 29" in page_text(page)
    assert large == small
