"""Logging a concern: any member of staff, zero threshold, told to the school's DSLs at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.casework.models import ChronologyEntry, EntryKind
from portal.clock import UK, travel, uk_now, uk_today, utcnow
from portal.notifications.models import Notification
from tests.admin.pages import email_body, field_error, page_text
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.moments import AWKWARD_MOMENTS
from tests.support import audit_events


def test_staff_logs_a_concern_and_the_schools_dsls_are_told(app, world, pupil, signed_in, concerns, rows, mailbox):
    """Is a concern saved as written, audited without its text, put on the chronology, and are the DSL
    and head of that school (not of school2) told in the portal and by email, with no child's details?"""
    staff = signed_in(world.a.staff1)
    form = concern_form(child_words="There's no food at home.", location="The playground")
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=form)
    assert response.status_code == 302

    [concern] = concerns(world.a.authority_id)
    assert response.headers["Location"] == f"/concerns/{concern.id}"
    assert (concern.pupil_id, concern.organisation_id, concern.raised_by_id) == (pupil, world.a.school1, world.a.staff1.id)
    assert concern.category == "neglect"
    assert concern.seen_or_heard == form["seen_or_heard"]
    assert concern.child_words == "There's no food at home."
    assert concern.location == "The playground"
    assert concern.urgent is False and concern.status.value == "new"
    expected = utcnow() - timedelta(hours=1)
    assert abs(concern.occurred_at - expected) < timedelta(minutes=2)

    page = page_text(staff.get(response.headers["Location"]))
    assert "Your concern has been logged and the DSL has been told." in page
    assert "The DSL has not looked at this concern yet." in page

    [logged] = audit_events(app, world.a.authority_id, "concern.logged")
    assert logged.actor_id == world.a.staff1.id and logged.object_id == str(concern.id)
    assert logged.details == {"pupil_id": str(pupil), "category": "neglect", "urgent": False}

    [line] = rows(ChronologyEntry, world.a.authority_id, pupil_id=pupil)
    assert line.kind is EntryKind.CONCERN
    assert line.title == "Concern logged: Neglect (hunger, hygiene, clothing, supervision)"
    assert (line.object_type, line.object_id, line.actor_id) == ("concern", concern.id, world.a.staff1.id)

    told = rows(Notification, world.a.authority_id)
    assert sorted(n.user_id for n in told) == sorted([world.a.dsl1.id, world.a.head1.id])
    assert {n.title for n in told} == {"New concern logged at Avonford Primary School"}
    assert {n.link for n in told} == {f"/concerns/{concern.id}"}

    messages = mailbox()
    assert sorted(m["To"] for m in messages) == sorted([world.a.dsl1.email, world.a.head1.email])
    for message in messages:
        assert message["Subject"] == "Safeguarding Partnership Portal: New concern logged at Avonford Primary School"
        body = email_body(message)
        assert "Jordan" not in body and "coat" not in body and "food" not in body
    assert world.a.dsl2.email not in [m["To"] for m in messages]


def test_urgent_concern_alerts_with_the_urgent_title(app, world, pupil, signed_in, rows, mailbox):
    """Does an urgent concern reach the DSLs as URGENT, and is the member of staff told to go in person too?"""
    staff = signed_in(world.a.staff1)
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(urgent="y"))
    assert response.status_code == 302
    page = page_text(staff.get(response.headers["Location"]))
    assert "the DSL has been alerted that it is urgent. Now tell them in person straight away." in page

    title = "URGENT concern logged at Avonford Primary School: please look now"
    assert {n.title for n in rows(Notification, world.a.authority_id)} == {title}
    assert {m["Subject"] for m in mailbox()} == {f"Safeguarding Partnership Portal: {title}"}
    assert audit_events(app, world.a.authority_id, "concern.logged")[0].details["urgent"] is True


def test_one_word_is_enough(world, pupil, signed_in, concerns):
    """Zero threshold: is a one-word concern accepted?"""
    staff = signed_in(world.a.staff1)
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(seen_or_heard="Bruise"))
    assert response.status_code == 302
    assert [c.seen_or_heard for c in concerns(world.a.authority_id)] == ["Bruise"]


def test_what_you_saw_or_heard_cannot_be_empty(world, pupil, signed_in, concerns):
    """Is an empty (or blank) account refused next to the field, keeping everything else they typed?"""
    staff = signed_in(world.a.staff1)
    for text in ("", "   \n "):
        response = staff.post(
            f"/concerns/new?pupil_id={pupil}",
            data=concern_form(seen_or_heard=text, child_words="He said dad hit him", location="Classroom 4"),
        )
        assert response.status_code == 200
        assert field_error(response, "seen_or_heard") == "Enter what you saw or heard"
        page = response.get_data(as_text=True)
        assert "He said dad hit him" in page and 'value="Classroom 4"' in page
        assert 'value="neglect" checked' in page
    assert concerns(world.a.authority_id) == []


def test_a_concern_seen_an_hour_ago_is_logged_at_any_moment(awkward_moment, world, pupil, signed_in, concerns):
    """At 00:30 UK time in summer (the UTC date still yesterday), across the clocks changing, on New Year's
    Eve, 29 February and a bank holiday: is what was seen an hour ago logged, at the moment it happened?"""
    staff = signed_in(world.a.staff1)
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form())
    assert response.status_code == 302, field_error(response, "occurred_time") or field_error(response, "occurred_on")
    [concern] = concerns(world.a.authority_id)
    assert abs(concern.occurred_at - (utcnow() - timedelta(hours=1))) < timedelta(minutes=2)


def test_a_time_in_the_future_is_refused(awkward_moment, world, pupil, signed_in, concerns):
    """Is a date or time that has not happened yet refused next to the date or the time, at any moment?"""
    staff = signed_in(world.a.staff1)
    tomorrow = uk_now() + timedelta(days=1)
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(occurred_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]))
    assert response.status_code == 200
    assert field_error(response, "occurred_on") == "The date it happened must be today or in the past"

    # Ninety minutes on: past the hour the clocks repeat when they go back (a time typed in it is taken the
    # first time round, so half an hour on from 01:59 BST would read as 01:29 BST, in the past).
    soon = (utcnow() + timedelta(minutes=90)).astimezone(UK)
    response = staff.post(
        f"/concerns/new?pupil_id={pupil}",
        data=concern_form(occurred_on=[str(soon.day), str(soon.month), str(soon.year)], occurred_time=soon.strftime("%H:%M")),
    )
    assert response.status_code == 200
    # Ninety minutes from a minute before midnight (New Year's Eve) is tomorrow: the date is what is wrong.
    expected = (
        ("occurred_on", "The date it happened must be today or in the past")
        if soon.date() > uk_today()
        else ("occurred_time", "The time it happened must be now or in the past")
    )
    assert (soon.date() > uk_today()) == (awkward_moment == AWKWARD_MOMENTS["new-year"])
    assert field_error(response, expected[0]) == expected[1]
    assert concerns(world.a.authority_id) == []


def test_the_hour_the_clocks_skip_is_explained_and_the_hour_they_repeat_is_taken_the_first_time(world, pupil, signed_in, concerns):
    """01:30 on 28 March 2027 never happened in the UK (the clocks went from 1am to 2am): is it refused
    next to the time, with why? 01:30 on 31 October 2027 happened twice: is it taken as the first (BST)?"""
    with travel(datetime(2027, 11, 1, 9, 0, tzinfo=UK), tick=True):
        staff = signed_in(world.a.staff1)
        response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(occurred_on=["28", "3", "2027"], occurred_time="01:30"))
        assert response.status_code == 200
        assert field_error(response, "occurred_time") == (
            "The clocks went forward an hour at 1am on 28 March 2027, so 01:30 was never shown: enter the time as the clock showed it"
        )
        assert 'value="01:30"' in response.get_data(as_text=True)  # what was typed is kept
        assert concerns(world.a.authority_id) == []
        response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(occurred_on=["31", "10", "2027"], occurred_time="01:30"))
        assert response.status_code == 302
    [concern] = concerns(world.a.authority_id)
    assert concern.occurred_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_date_and_time_are_required_and_checked(world, pupil, signed_in, concerns):
    """Are a missing date, a half-typed date, an impossible date and a missing or badly written time each
    refused with their own message?"""
    staff = signed_in(world.a.staff1)
    cases = [
        ({"occurred_on": ["", "", ""]}, "occurred_on", "Enter the date it happened"),
        ({"occurred_on": ["3", "", "2026"]}, "occurred_on", "The date must include a day, month and year"),
        ({"occurred_on": ["31", "2", "2025"]}, "occurred_on", "The date must be a real date"),
        ({"occurred_time": ""}, "occurred_time", "Enter the time it happened, like 14:30"),
        ({"occurred_time": "2pm"}, "occurred_time", "Enter the time using the 24-hour clock, like 14:30"),
        ({"category": ""}, "category", "Select what the concern is about"),
    ]
    for overrides, field, message in cases:
        response = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(**overrides))
        assert response.status_code == 200, overrides
        assert field_error(response, field) == message, overrides
    assert concerns(world.a.authority_id) == []


def test_the_dsl_is_not_alerted_about_their_own_concern(world, pupil, signed_in, rows):
    """When the DSL logs a concern, are the other casework people told, and not the DSL themselves?"""
    dsl = signed_in(world.a.dsl1)
    assert dsl.post(f"/concerns/new?pupil_id={pupil}", data=concern_form()).status_code == 302
    assert [n.user_id for n in rows(Notification, world.a.authority_id)] == [world.a.head1.id]


def test_choosing_the_child_searches_only_the_staff_members_school(app, world, signed_in):
    """Does the name search list children of the staff member's school only, with year group and date
    of birth and a link to the form, and never their flags?"""
    at_school1 = make_pupil(app, world.a, legal_forename="Jordan", legal_surname="Baker", child_protection_plan=True, looked_after=True)
    make_pupil(app, world.a, school="school2", legal_forename="Jordan", legal_surname="Hill")
    make_pupil(app, world.b, legal_forename="Jordan", legal_surname="Brackley")
    staff = signed_in(world.a.staff1)

    first = page_text(staff.get("/concerns/new"))
    assert "Which child is it about?" in first

    response = staff.get("/concerns/new?q=jord")
    page = page_text(response)
    assert "Jordan Baker" in page and "Year 6" in page and "14 March 2015" in page
    assert "Hill" not in page and "Brackley" not in page
    assert "Child protection plan" not in page and "Looked after" not in page
    assert f'href="/concerns/new?pupil_id={at_school1}"' in response.get_data(as_text=True)

    form = page_text(staff.get(f"/concerns/new?pupil_id={at_school1}"))
    assert "Log a concern" in form and "Jordan Baker" in form and "What did you see or hear?" in form
    assert "Child protection plan" not in form


def test_a_child_of_another_school_cannot_be_chosen(app, world, signed_in, concerns):
    """Is a pupil of another school a 404 to a member of staff, on the form and when posting to it?"""
    elsewhere = make_pupil(app, world.a, school="school2")
    staff = signed_in(world.a.staff1)
    assert staff.get(f"/concerns/new?pupil_id={elsewhere}").status_code == 404
    assert staff.post(f"/concerns/new?pupil_id={elsewhere}", data=concern_form()).status_code == 404
    assert concerns(world.a.authority_id) == []


def test_staff_at_two_schools_log_at_the_pupils_school(app, world, signed_in, concerns, rows):
    """A member of staff at both schools: is the concern the pupil's school's, and are that school's DSLs told?"""
    from tests.world import add_membership

    add_membership(app, world.a.staff1, "staff", world.a.school2)
    at_school2 = make_pupil(app, world.a, school="school2", legal_forename="Sam", legal_surname="Hill")
    staff = signed_in(world.a.staff1)
    assert "Sam Hill" in page_text(staff.get("/concerns/new?q=hill"))
    assert staff.post(f"/concerns/new?pupil_id={at_school2}", data=concern_form()).status_code == 302
    [concern] = concerns(world.a.authority_id)
    assert concern.organisation_id == world.a.school2
    told = rows(Notification, world.a.authority_id)
    assert [n.user_id for n in told] == [world.a.dsl2.id]
    assert told[0].title == "New concern logged at Avonford High School"
