"""The chronology as the record: each line's substance (what was seen, said, asked, answered or decided, as it
was then) written by concerns, advice, referrals and context referrals; the DSL's manual entries and their
corrections; significant events; the PDFs (all of it, or the significant events only); a query count that
does not grow with the lines; and who may see a line."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select

from portal.clock import UK, travel, uk_today, utcnow
from tests.admin.pages import clean, field_error, input_value, page_text
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil, make_referral
from tests.referrals.support import form as referral_form
from tests.support import audit_events, detached_rows, page_queries, signed_in_client

# Reading the pages -------------------------------------------------------------------------------------


def _lines(response) -> list[dict]:
    """The lines of a chronology page, top to bottom: id, title, substance as (label, text) pairs, whether it
    carries the "Significant event" tag, and the line's visible text."""
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    found = []
    for entry_id, block in re.findall(r'<li id="entry-([0-9a-f-]{36})">(.*?)</li>', markup, re.S):
        title = clean(re.search(r"<h3[^>]*>(.*?)</h3>", block, re.S).group(1))
        substance = [(clean(label), clean(text)) for label, text in re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)]
        tagged = re.search(r'<strong class="govuk-tag govuk-tag--red[^"]*">\s*Significant event\s*</strong>', block) is not None
        found.append({"id": entry_id, "title": title, "substance": substance, "significant": tagged, "text": clean(block)})
    return found


def _line(lines: list[dict], title: str) -> dict:
    """The one line whose title starts with ``title``."""
    matching = [line for line in lines if line["title"].startswith(title)]
    assert len(matching) == 1, f"expected one line titled {title!r}, found {[line['title'] for line in lines]}"
    return matching[0]


def _markup(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _chronology(client, pupil_id, query: str = ""):
    return _lines(client.get(f"/pupils/{pupil_id}/chronology{query}"))


# Substance written at each step, through the pages ----------------------------------------------------


def test_a_concern_and_its_triage_show_the_account_the_childs_words_and_the_action_on_the_chronology(app, world):
    """When staff log a concern and the DSL triages it through the pages, does the chronology show what was
    seen, the child's own words and where, then the outcome, the action taken and what the reporter was told?"""
    from portal.concerns.models import Concern

    pupil = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    response = staff.post(
        f"/concerns/new?pupil_id={pupil}",
        data=concern_form(
            seen_or_heard="Bruise on her left cheek, about the size of a thumbprint.",
            child_words="Daddy got cross when I spilt the juice.",
            location="Classroom 4, during registration",
        ),
    )
    assert response.status_code == 302
    [concern] = detached_rows(app, Concern, world.a.authority_id)
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post(
        f"/concerns/{concern.id}/triage",
        data={
            "action_taken": "Body map completed; rang the front door for advice before speaking to dad.",
            "outcome": "monitor",
            "response_to_reporter": "Thank you, I am dealing with it today.",
            "version": "1",
        },
    )
    assert response.status_code == 302

    lines = _chronology(dsl, pupil)
    assert _line(lines, "Concern logged")["substance"] == [
        ("What was seen or heard", "Bruise on her left cheek, about the size of a thumbprint."),
        ("What the child said, in their own words", "Daddy got cross when I spilt the juice."),
        ("Where it happened", "Classroom 4, during registration"),
    ]
    assert _line(lines, "DSL triage: Keep monitoring in school")["substance"] == [
        ("Outcome", "Keep monitoring in school"),
        ("Action taken, and why", "Body map completed; rang the front door for advice before speaking to dad."),
        ("What the person who logged it was told", "Thank you, I am dealing with it today."),
    ]


def test_an_advice_request_shows_the_question_the_answer_and_each_reply(app, world):
    """When a DSL asks about a named child and the front door answers, does the chronology show the question,
    how soon, the front door's answer, and a reply on the thread as a line of its own?"""
    from portal.advice.models import AdviceRequest

    pupil = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    question = "He has told two friends he sleeps in the car some nights. Does this meet the threshold?"
    response = dsl.post("/advice/new", data={"name_child": "yes", "pupil": str(pupil), "question": question, "categories": ["neglect"], "urgency": "routine"})
    assert response.status_code == 302
    [advice] = detached_rows(app, AdviceRequest, world.a.authority_id)
    officer = signed_in_client(app, world.a.front_door)
    assert officer.post(f"/advice/{advice.id}/take").status_code == 302
    answer = "Ask mum about housing today and refer to early help if she agrees; ring us if he is not collected."
    version = input_value(officer.get(f"/advice/{advice.id}/answer"), "version")
    assert (
        officer.post(
            f"/advice/{advice.id}/answer", data={"outcome": "advice_given", "answer_level": "early_help", "answer": answer, "version": version}
        ).status_code
        == 302
    )
    assert dsl.post(f"/advice/{advice.id}/reply", data={"body": "Mum says they were evicted last week."}).status_code == 302

    lines = _chronology(dsl, pupil)
    assert _line(lines, "Advice asked of the front door")["substance"] == [
        ("The question", question),
        ("How soon", "Routine: within one working day"),
        ("The DSL's view of the level", "Not sure"),
    ]
    assert _line(lines, "Front-door advice: Advice given")["substance"] == [
        ("The front door's answer", answer),
        ("The front door's view of the level", "Early help"),
    ]
    assert _line(lines, "Reply from the school about the request for advice")["substance"] == [("The reply", "Mum says they were evicted last week.")]


def test_a_referral_shows_what_happened_the_question_the_answer_the_decision_and_the_messages(app, world):
    """Through the referral pages: does the chronology show what the school sent (what happened, the child's
    voice), what the front door asked for and what the school answered, the decision and its reason, and a
    message on the referral?"""
    pupil = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil)
    dsl, front_door = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.front_door)
    assert dsl.post(f"/referrals/{referral_id}/edit", data=referral_form(submit_referral="Submit referral")).status_code == 302
    assert front_door.post(f"/referrals/{referral_id}/acknowledge").status_code == 302
    asked = "Who collects her from school, and has anyone else noticed her hunger?"
    assert front_door.post(f"/referrals/{referral_id}/request-information", data={"comment": asked}).status_code == 302
    answered = "Her aunt on Tuesdays; the breakfast club staff have noticed it too."
    assert dsl.post(f"/referrals/{referral_id}/provide-information", data={"comment": answered}).status_code == 302
    reason = "Persistent hunger with no explanation at home: a social worker will assess within ten days."
    assert (
        front_door.post(
            f"/referrals/{referral_id}/decide", data={"decision": "child_in_need_assessment", "decision_level": "child_in_need", "reason": reason}
        ).status_code
        == 302
    )
    assert front_door.post(f"/referrals/{referral_id}/messages", data={"body": "The social worker is Sam Patel, on 01234 567890."}).status_code == 302

    lines = _chronology(dsl, pupil)
    submitted = dict(_line(lines, "Submitted by the school")["substance"])
    assert submitted["What happened"] == "Came to school hungry on four days this week; says there is no food at home."
    assert submitted["The child's voice"] == "Mum sleeps all day and there's nothing in the fridge."
    assert submitted["Immediate danger"] == "No"
    assert _line(lines, "More information requested")["substance"] == [("What the front door asked for", asked)]
    assert _line(lines, "Information provided by the school")["substance"] == [("What the school sent", answered)]
    assert _line(lines, "Referral decision: Child-in-need assessment (section 17)")["substance"] == [
        ("Decision", "Child-in-need assessment (section 17)"),
        ("Level of need found", "Child in need"),
        ("Reason", reason),
    ]
    assert _line(lines, "Message from the front door about the referral")["substance"] == [("The message", "The social worker is Sam Patel, on 01234 567890.")]


def test_a_context_referral_naming_a_pupil_is_on_their_chronology_for_their_school_only(app, world):
    """Does a context referral that names a pupil put "Named in a context referral about <school>" with the
    context and what has been happening on that pupil's chronology, for their school's DSL, and never for
    the DSL of another school?"""
    from tests.contexts.support import form as context_form

    named = make_pupil(app, world.a, legal_forename="Amira", legal_surname="Khan", year_group="9")
    elsewhere = make_pupil(app, world.a, school="school2", legal_forename="Amira", legal_surname="Jones", year_group="9")
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post("/context-referrals/new", data=context_form(organisation=str(world.a.school1), pupils=[str(named)], suggested="universal", send="Send"))
    assert response.status_code == 302

    line = _line(_chronology(dsl, named), "Named in a context referral about Avonford Primary School")
    assert line["substance"] == [
        ("The context", "A peer group linked to the school — A group of Year 9 girls who leave together at lunchtime."),
        ("What has been happening", "Older men wait by the gates at lunchtime; the girls have new phones and bags."),
    ]
    other_dsl = signed_in_client(app, world.a.dsl2)
    assert other_dsl.get(f"/pupils/{named}/chronology").status_code == 404
    assert all("context referral" not in line["title"] for line in _chronology(other_dsl, elsewhere))


# Manual entries --------------------------------------------------------------------------------------

INVOLVED = "Sam Patel, social worker (children's social care); Dr Rees, school nurse; mum"
SAID = "Conference agreed a child protection plan under neglect. Core group to meet within ten working days."
ACTIONS = "DSL to send attendance records to Sam Patel by Friday."


def _manual(day=None, at: str = "14:30", **overrides) -> dict:
    """The manual entry form as a browser posts it: a child protection conference yesterday afternoon."""
    day = day or uk_today() - timedelta(days=1)
    data = {
        "kind": "cp_conference",
        "occurred_on": [str(day.day), str(day.month), str(day.year)],
        "occurred_time": at,
        "involved": INVOLVED,
        "summary": SAID,
        "actions": ACTIONS,
    }
    data.update(overrides)
    return data


def _shown_again(response, context=None):
    """The form is shown again (not saved and redirected), with the GOV.UK error summary at the top."""
    assert response.status_code in (200, 400), context
    assert "There is a problem" in page_text(response) or "Someone else changed" in page_text(response), context


def _manual_entries(app, side):
    from portal.casework.models import ManualEntry

    return detached_rows(app, ManualEntry, side.authority_id)


def _add_manual(app, world, pupil, **overrides):
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(**overrides))
    assert response.status_code == 302, page_text(response)
    [entry] = _manual_entries(app, world.a)
    return dsl, entry


def test_a_dsl_adds_a_call_or_meeting_to_the_chronology(app, world):
    """Does a DSL's record of a conference go on the chronology at the time it happened, with who was involved,
    what was said or decided and the actions, audited with the pupil and the kind only (never the words)?"""
    pupil = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    form = dsl.get(f"/pupils/{pupil}/chronology/new")
    assert form.status_code == 200 and "Add an entry" in page_text(form)

    response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual())
    assert response.status_code == 302 and response.headers["Location"] == f"/pupils/{pupil}/chronology"
    assert "'Child protection conference' has been added to the chronology." in page_text(dsl.get(response.headers["Location"]))

    [entry] = _manual_entries(app, world.a)
    yesterday = uk_today() - timedelta(days=1)
    assert entry.occurred_at == datetime(yesterday.year, yesterday.month, yesterday.day, 14, 30, tzinfo=UK)
    assert (entry.kind.value, entry.created_by_id, entry.organisation_id) == ("cp_conference", world.a.dsl1.id, world.a.school1)
    line = _line(_chronology(dsl, pupil), "Child protection conference")
    assert line["substance"] == [("Who was involved", INVOLVED), ("What was said or decided", SAID), ("Actions", ACTIONS)]
    assert "By Dsl1" in line["text"]

    [event] = audit_events(app, world.a.authority_id, "chronology.manual_entry_added")
    assert (event.actor_id, event.object_type, event.object_id) == (world.a.dsl1.id, "manual_entry", str(entry.id))
    assert event.details == {"pupil_id": str(pupil), "kind": "cp_conference"}
    recorded = json.dumps([e.details for e in audit_events(app, world.a.authority_id)])
    assert "Sam Patel" not in recorded and "child protection plan" not in recorded and "attendance records" not in recorded


def test_staff_cannot_add_an_entry(app, world):
    """Is adding to the chronology the school's casework (refused to staff), with nothing saved?"""
    pupil = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.post(f"/pupils/{pupil}/chronology/new", data=_manual()).status_code in (403, 404)
    assert signed_in_client(app, world.a.dsl2).post(f"/pupils/{pupil}/chronology/new", data=_manual()).status_code == 404
    assert _manual_entries(app, world.a) == []


def test_missing_answers_are_explained_next_to_each_field_and_nothing_is_saved(app, world):
    """Does an empty form say what is missing next to what it was, who was involved, what was said, the date
    and the time, and save nothing?"""
    pupil = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post(f"/pupils/{pupil}/chronology/new", data={"occurred_on": ["", "", ""]})
    _shown_again(response)
    assert field_error(response, "kind") == "Select what it was"
    assert field_error(response, "involved") == "Enter who was involved"
    assert field_error(response, "summary") == "Enter what was said or decided"
    assert field_error(response, "occurred_on") == "Enter the date it happened"
    assert field_error(response, "occurred_time") == "Enter the time it happened, like 14:30"
    assert "There is a problem" in page_text(response)
    assert _manual_entries(app, world.a) == []
    assert audit_events(app, world.a.authority_id, "chronology.manual_entry_added") == []


def test_wrong_answers_are_explained_and_what_was_typed_is_kept(app, world):
    """Are text of spaces only, a badly written time and an impossible date each refused next to the field,
    with everything else typed still in the form and nothing saved?"""
    pupil = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    cases = [
        ({"involved": "   "}, "involved", "Enter who was involved"),
        ({"summary": "  \n "}, "summary", "Enter what was said or decided"),
        ({"occurred_time": "2pm"}, "occurred_time", "Enter the time using the 24-hour clock, like 14:30"),
        ({"occurred_on": ["31", "2", "2025"]}, "occurred_on", "The date must be a real date"),
        ({"occurred_on": ["3", "", "2026"]}, "occurred_on", "The date must include a day, month and year"),
        ({"kind": "tea_party"}, "kind", None),
    ]
    for overrides, field, message in cases:
        response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(**overrides))
        _shown_again(response, overrides)
        if message is not None:
            assert field_error(response, field) == message, overrides
        else:
            assert field_error(response, field), overrides
        kept = _markup(response)
        for name, typed in (("involved", INVOLVED), ("summary", SAID), ("actions", ACTIONS)):
            if name not in overrides:
                assert typed in kept, (overrides, name)
    assert _manual_entries(app, world.a) == []


def test_a_time_not_yet_come_or_in_the_hour_the_clocks_skip_is_refused(app, world):
    """At 9am on 1 November 2027: is 10:00 today refused next to the time ("now or in the past"), tomorrow
    refused next to the date, and 01:30 on 28 March 2027 (the hour the clocks skipped) explained next to the
    time, each keeping what was typed and saving nothing?"""
    pupil = make_pupil(app, world.a)
    with travel(datetime(2027, 11, 1, 9, 0, tzinfo=UK), tick=True):
        dsl = signed_in_client(app, world.a.dsl1)
        today = uk_today()
        response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(day=today, at="10:00"))
        _shown_again(response)
        assert field_error(response, "occurred_time") == "The time it happened must be now or in the past"
        assert 'value="10:00"' in response.get_data(as_text=True) and SAID in _markup(response)

        response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(day=today + timedelta(days=1), at="08:00"))
        _shown_again(response)
        assert field_error(response, "occurred_on") == "The date it happened must be today or in the past"

        response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(day=datetime(2027, 3, 28).date(), at="01:30"))
        _shown_again(response)
        assert field_error(response, "occurred_time") == (
            "The clocks went forward an hour at 1am on 28 March 2027, so 01:30 was never shown: enter the time as the clock showed it"
        )
        assert 'value="01:30"' in response.get_data(as_text=True) and INVOLVED in _markup(response)
        assert _manual_entries(app, world.a) == []

        # A minute ago is now or in the past: it is saved.
        response = dsl.post(f"/pupils/{pupil}/chronology/new", data=_manual(day=today, at="08:59"))
        assert response.status_code == 302
    [entry] = _manual_entries(app, world.a)
    assert entry.occurred_at == datetime(2027, 11, 1, 8, 59, tzinfo=UK)


def _date_boxes(response) -> list[str]:
    """The day, month and year boxes of the date it happened, as the page fills them."""
    markup = response.get_data(as_text=True)
    values = []
    for part in ("day", "month", "year"):
        tag = re.search(rf'<input[^>]*id="occurred_on-{part}"[^>]*>', markup)
        assert tag is not None, f"no {part} box"
        value = re.search(r'value="([^"]*)"', tag.group(0))
        values.append(value.group(1) if value else "")
    return values


def test_correcting_an_entry_keeps_the_change_in_its_history(app, world):
    """Does correcting an entry (from the version the edit page shows) update the chronology's line, keep who
    changed which field from what to what under "History of changes", and audit the field names only?"""
    pupil = make_pupil(app, world.a)
    dsl, entry = _add_manual(app, world, pupil)
    page = dsl.get(f"/chronology/entries/{entry.id}")
    assert page.status_code == 200
    assert "It has not been changed since it was recorded." in page_text(page)

    edit = dsl.get(f"/chronology/entries/{entry.id}/edit")
    assert edit.status_code == 200
    assert input_value(edit, "version") == "1"
    assert input_value(edit, "occurred_time") == "14:30"
    yesterday = uk_today() - timedelta(days=1)
    assert [int(v) for v in _date_boxes(edit)] == [yesterday.day, yesterday.month, yesterday.year]
    assert SAID in _markup(edit) and INVOLVED in _markup(edit)

    corrected = "Conference agreed a child protection plan under neglect and emotional abuse. Core group within ten working days."
    response = dsl.post(f"/chronology/entries/{entry.id}/edit", data=_manual(summary=corrected, actions="", version="1"))
    assert response.status_code == 302 and response.headers["Location"] == f"/chronology/entries/{entry.id}"
    page = dsl.get(response.headers["Location"])
    text = page_text(page)
    assert "The entry has been corrected. The change is kept in its history." in text
    assert "History of changes" in text and "Changed by Dsl1 on" in text
    history = text.split("History of changes", 1)[1]
    assert f"What was said or decided {SAID} {corrected}" in history
    assert f"Actions {ACTIONS} (empty)" in history
    assert "Who was involved" not in history  # unchanged fields are not listed as changes

    from portal.casework.models import ManualEntryRevision

    [revision] = detached_rows(app, ManualEntryRevision, world.a.authority_id)
    assert revision.changed_by_id == world.a.dsl1.id and revision.manual_entry_id == entry.id
    assert revision.changes == {"What was said or decided": [SAID, corrected], "Actions": [ACTIONS, ""]}

    line = _line(_chronology(dsl, pupil), "Child protection conference")
    assert line["substance"] == [("Who was involved", INVOLVED), ("What was said or decided", corrected)]

    [event] = audit_events(app, world.a.authority_id, "chronology.manual_entry_changed")
    assert (event.actor_id, event.object_id) == (world.a.dsl1.id, str(entry.id))
    assert event.details == {"pupil_id": str(pupil), "fields": ["summary", "actions"]}
    assert "emotional abuse" not in json.dumps([e.details for e in audit_events(app, world.a.authority_id)])


def test_changing_the_kind_and_time_moves_the_line_and_names_it_anew(app, world):
    """When the kind and the time are corrected, does the chronology line take the new title and the new time,
    and does the history show both as they read on the page?"""
    pupil = make_pupil(app, world.a)
    dsl, entry = _add_manual(app, world, pupil)
    response = dsl.post(f"/chronology/entries/{entry.id}/edit", data=_manual(kind="core_group", at="09:15", version="1"))
    assert response.status_code == 302
    lines = _chronology(dsl, pupil)
    assert [line["title"] for line in lines] == ["Core group meeting"]
    yesterday = uk_today() - timedelta(days=1)
    assert f"{yesterday.day} {yesterday.strftime('%B %Y')} at 9:15am" in lines[0]["text"]
    history = page_text(dsl.get(f"/chronology/entries/{entry.id}")).split("History of changes", 1)[1]
    assert "What it was Child protection conference Core group meeting" in history
    assert "at 2:30pm" in history and "at 9:15am" in history


def test_saving_with_no_change_says_so_and_keeps_no_revision(app, world):
    """Does saving the edit form unchanged say "No changes were made", with no revision and no audit of a change?"""
    pupil = make_pupil(app, world.a)
    dsl, entry = _add_manual(app, world, pupil)
    edit = dsl.get(f"/chronology/entries/{entry.id}/edit")
    response = dsl.post(f"/chronology/entries/{entry.id}/edit", data=_manual(version=input_value(edit, "version")))
    assert response.status_code == 302
    page = page_text(dsl.get(response.headers["Location"]))
    assert "No changes were made." in page
    assert "It has not been changed since it was recorded." in page

    from portal.casework.models import ManualEntryRevision

    assert detached_rows(app, ManualEntryRevision, world.a.authority_id) == []
    assert audit_events(app, world.a.authority_id, "chronology.manual_entry_changed") == []
    assert _manual_entries(app, world.a)[0].version == 1


def test_a_save_on_top_of_someone_elses_is_refused_with_what_changed(app, world):
    """Two people correct the same entry: is the second save (made from the version before the first) refused
    with "Someone else changed this entry while you were editing", showing what is saved now beside what they
    typed, their words still in the form, nothing saved, and the refusal audited?"""
    pupil = make_pupil(app, world.a)
    dsl, entry = _add_manual(app, world, pupil)
    head = signed_in_client(app, world.a.head1)
    assert input_value(dsl.get(f"/chronology/entries/{entry.id}/edit"), "version") == "1"
    assert input_value(head.get(f"/chronology/entries/{entry.id}/edit"), "version") == "1"

    heads = "Plan agreed under neglect. The head attended for the school."
    assert head.post(f"/chronology/entries/{entry.id}/edit", data=_manual(summary=heads, version="1")).status_code == 302

    mine = "Plan agreed under neglect; the DSL's own note of the conference."
    response = dsl.post(f"/chronology/entries/{entry.id}/edit", data=_manual(summary=mine, version="1"))
    _shown_again(response)
    text = page_text(response)
    assert "Someone else changed this entry while you were editing" in text
    changed = text.split("What changed", 1)[1]
    assert f"What was said or decided {heads} {mine}" in changed
    assert mine in _markup(response).split('id="what-changed"', 1)[1].split("</table>", 1)[1]  # still in the form
    assert input_value(response, "version") == "2"  # the next save is made against what is saved now

    [saved] = _manual_entries(app, world.a)
    assert saved.summary == heads and saved.updated_by_id == world.a.head1.id
    from portal.casework.models import ManualEntryRevision

    assert [r.changed_by_id for r in detached_rows(app, ManualEntryRevision, world.a.authority_id)] == [world.a.head1.id]
    [refused] = audit_events(app, world.a.authority_id, "record.stale_save_refused")
    assert (refused.actor_id, refused.object_type, refused.object_id) == (world.a.dsl1.id, "manual_entry", str(entry.id))
    assert [e.actor_id for e in audit_events(app, world.a.authority_id, "chronology.manual_entry_changed")] == [world.a.head1.id]

    # Saving again, knowingly, from the version now shown, works.
    assert dsl.post(f"/chronology/entries/{entry.id}/edit", data=_manual(summary=mine, version="2")).status_code == 302
    assert _manual_entries(app, world.a)[0].summary == mine


def test_another_school_cannot_open_or_correct_an_entry(app, world):
    """Is a manual entry hidden from another school's DSL (404 on the entry, its edit page and a save)?"""
    pupil = make_pupil(app, world.a)
    _, entry = _add_manual(app, world, pupil)
    other = signed_in_client(app, world.a.dsl2)
    assert other.get(f"/chronology/entries/{entry.id}").status_code == 404
    assert other.get(f"/chronology/entries/{entry.id}/edit").status_code == 404
    assert other.post(f"/chronology/entries/{entry.id}/edit", data=_manual(summary="Overwritten", version="1")).status_code == 404
    assert _manual_entries(app, world.a)[0].summary == SAID


# Significant events ----------------------------------------------------------------------------------


def _add_lines(app, side, pupil_id, items, by: str = "dsl1"):
    """Chronology lines: (title, minutes ago, substance text)."""
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.extensions import db
    from tenants.context import tenant_scope

    person = side.people[by]
    now = utcnow()
    with app.app_context(), tenant_scope(side.authority_id, person.id):
        for title, minutes, text in items:
            chronology.add(
                pupil_id=pupil_id,
                organisation_id=side.school1,
                kind=EntryKind.CONCERN,
                title=title,
                object_type="concern",
                object_id=pupil_id,
                substance=chronology.lines(("What was seen or heard", text)),
                occurred_at=now - timedelta(minutes=minutes),
            )
        db.session.commit()


def _mark(client, line_id, value: str = "yes"):
    return client.post(f"/chronology/{line_id}/significant", data={"significant": value})


def test_marking_a_line_significant_shows_who_marked_it_and_filters_to_the_significant_events(app, world):
    """When a DSL marks a line as a significant event, does it carry the tag and who marked it, does "significant
    events only" show just the marked lines, and does unmarking take it off again, each audited?"""
    pupil = make_pupil(app, world.a)
    _add_lines(app, world.a, pupil, [("Bruise seen", 30, "A bruise."), ("Disclosure to teacher", 20, "She said it."), ("Late again", 10, "Late.")])
    dsl = signed_in_client(app, world.a.dsl1)
    lines = {line["title"]: line for line in _chronology(dsl, pupil)}
    assert not any(line["significant"] for line in lines.values())

    response = _mark(dsl, lines["Disclosure to teacher"]["id"])
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pupils/{pupil}/chronology#entry-{lines['Disclosure to teacher']['id']}"
    head = signed_in_client(app, world.a.head1)
    assert _mark(head, lines["Bruise seen"]["id"]).status_code == 302

    page = dsl.get(f"/pupils/{pupil}/chronology")
    assert "'Disclosure to teacher' is now marked as a significant event." in page_text(page)
    shown = {line["title"]: line for line in _lines(page)}
    assert [title for title, line in shown.items() if line["significant"]] == ["Disclosure to teacher", "Bruise seen"]
    assert "Marked significant by Dsl1 on" in shown["Disclosure to teacher"]["text"]
    assert "Marked significant by Head1 on" in shown["Bruise seen"]["text"]
    assert "Marked significant" not in shown["Late again"]["text"]
    assert "Unmark as significant" in shown["Disclosure to teacher"]["text"] and "Mark as significant" in shown["Late again"]["text"]

    significant = dsl.get(f"/pupils/{pupil}/chronology?significant=y")
    assert [line["title"] for line in _lines(significant)] == ["Disclosure to teacher", "Bruise seen"]
    assert "significant events only" in page_text(significant)

    assert _mark(dsl, lines["Disclosure to teacher"]["id"], "no").status_code == 302
    page = dsl.get(f"/pupils/{pupil}/chronology")
    assert "'Disclosure to teacher' is no longer marked as a significant event." in page_text(page)
    shown = {line["title"]: line for line in _lines(page)}
    assert not shown["Disclosure to teacher"]["significant"] and "Marked significant" not in shown["Disclosure to teacher"]["text"]
    assert [line["title"] for line in _chronology(dsl, pupil, "?significant=y")] == ["Bruise seen"]

    marked = audit_events(app, world.a.authority_id, "chronology.marked_significant")
    assert [(e.actor_id, e.object_type, e.object_id, e.details) for e in marked] == [
        (world.a.dsl1.id, "chronology_entry", lines["Disclosure to teacher"]["id"], {"pupil_id": str(pupil)}),
        (world.a.head1.id, "chronology_entry", lines["Bruise seen"]["id"], {"pupil_id": str(pupil)}),
    ]
    [unmarked] = audit_events(app, world.a.authority_id, "chronology.unmarked_significant")
    assert (unmarked.actor_id, unmarked.object_id) == (world.a.dsl1.id, lines["Disclosure to teacher"]["id"])


def test_marking_a_line_already_marked_changes_nothing(app, world):
    """If a second person marks a line someone already marked (or unmarks a line that is not marked), does it
    still say who marked it first, and is nothing recorded?"""
    from portal.casework.models import ChronologyEntry

    pupil = make_pupil(app, world.a)
    _add_lines(app, world.a, pupil, [("Disclosure to teacher", 20, "She said it."), ("Late again", 10, "Late.")])
    dsl, head = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.head1)
    lines = {line["title"]: line for line in _chronology(dsl, pupil)}
    assert _mark(dsl, lines["Disclosure to teacher"]["id"]).status_code == 302
    [before] = [e for e in detached_rows(app, ChronologyEntry, world.a.authority_id) if e.significant]

    with travel(utcnow() + timedelta(minutes=5), tick=True):
        response = _mark(head, lines["Disclosure to teacher"]["id"])
        assert response.status_code == 302
        assert _mark(head, lines["Late again"]["id"], "no").status_code == 302
        page = head.get(response.headers["Location"])
    assert "is now marked" not in page_text(page) and "no longer marked" not in page_text(page)
    assert "Marked significant by Dsl1 on" in _line(_lines(page), "Disclosure to teacher")["text"]
    [after] = [e for e in detached_rows(app, ChronologyEntry, world.a.authority_id) if e.significant]
    assert (after.id, after.significant_by_id, after.significant_at) == (before.id, world.a.dsl1.id, before.significant_at)
    assert [e.actor_id for e in audit_events(app, world.a.authority_id, "chronology.marked_significant")] == [world.a.dsl1.id]
    assert audit_events(app, world.a.authority_id, "chronology.unmarked_significant") == []


def test_only_the_schools_casework_roles_may_mark_a_line(app, world):
    """Is marking refused to staff and to another school's DSL, leaving the line unmarked and nothing audited?"""
    from portal.casework.models import ChronologyEntry

    pupil = make_pupil(app, world.a)
    _add_lines(app, world.a, pupil, [("Disclosure to teacher", 20, "She said it.")])
    [line] = detached_rows(app, ChronologyEntry, world.a.authority_id)
    assert _mark(signed_in_client(app, world.a.staff1), line.id).status_code in (403, 404)
    assert _mark(signed_in_client(app, world.a.dsl2), line.id).status_code == 404
    assert not detached_rows(app, ChronologyEntry, world.a.authority_id)[0].significant
    assert audit_events(app, world.a.authority_id, "chronology.marked_significant") == []


def test_older_pages_of_significant_events_stay_filtered(app, world):
    """Does "Older entries" from the significant events walk through every significant event, 50 a page, and
    none of the other lines?"""
    pupil = make_pupil(app, world.a)
    _add_lines(app, world.a, pupil, [(f"Line {n:02d}", n, f"Words {n}") for n in range(70)])
    _mark_directly(app, world.a, pupil, {n: ("dsl1" if n % 2 else "head1") for n in range(0, 70) if n % 7 != 3})  # 60 of 70
    client = signed_in_client(app, world.a.dsl1)

    first = client.get(f"/pupils/{pupil}/chronology?significant=y")
    markup = first.get_data(as_text=True)
    older = re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]*)" rel="next">.*?Older entries', markup, re.S)
    assert older is not None
    older_url = html.unescape(older.group(1))
    assert "significant=y" in older_url
    second = client.get(older_url)
    titles = [line["title"] for line in _lines(first) + _lines(second)]
    assert [len(_lines(first)), len(_lines(second))] == [50, 10]
    assert all(line["significant"] for line in _lines(first) + _lines(second))
    assert titles == [f"Line {n:02d}" for n in range(70) if n % 7 != 3]


# PDFs --------------------------------------------------------------------------------------------------


@pytest.fixture
def recorded(app, world):
    """A pupil (Zainab Okonkwo-Reyes) with four lines, each with its own words; two marked significant by the DSL."""
    from portal.casework.models import ChronologyEntry

    pupil = make_pupil(app, world.a, legal_forename="Zainab", legal_surname="Okonkwo-Reyes")
    _add_lines(
        app,
        world.a,
        pupil,
        [
            ("Arrived without a coat", 400, "Shivering at the gate in the sleet."),
            ("Disclosure to the class teacher", 300, "Said her stepdad locks her in the shed."),
            ("Missed breakfast club", 200, "Third morning running with no breakfast."),
            ("Strategy discussion held", 100, "Police and social care agreed a section 47 enquiry."),
        ],
    )
    dsl = signed_in_client(app, world.a.dsl1)
    for line in detached_rows(app, ChronologyEntry, world.a.authority_id):
        if line.title in ("Disclosure to the class teacher", "Strategy discussion held"):
            assert _mark(dsl, line.id).status_code == 302
    return pupil, dsl


def _export(client, pupil_id, scope: str):
    response = client.post(f"/pupils/{pupil_id}/chronology/export", data={"scope": scope})
    assert response.status_code == 302 and re.fullmatch(r"/exports/[0-9a-f-]{36}", response.headers["Location"])
    download = client.get(f"{response.headers['Location']}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    return download


def test_the_full_pdf_holds_each_lines_substance(app, world, recorded):
    """Does the PDF of the whole chronology hold every line with its words (what was seen, said, decided), and say
    which lines are significant events?"""
    pupil, dsl = recorded
    pdf = _pdf_text(_export(dsl, pupil, "all").data)
    for words in (
        "Shivering at the gate in the sleet.",
        "Said her stepdad locks her in the shed.",
        "Third morning running with no breakfast.",
        "Police and social care agreed a section 47 enquiry.",
        "What was seen or heard",
    ):
        assert words in pdf, words
    assert "Disclosure to the class teacher (significant event)" in pdf
    assert "Missed breakfast club (significant event)" not in pdf
    assert "Significant events: chronology" not in pdf and "All entries (4)" in pdf


def test_the_significant_events_pdf_holds_only_the_significant_events(app, world, recorded):
    """Does the summary chronology for a conference hold the significant events, their words, and nothing else,
    under a title that says "Significant events", in a file named by the pupil's reference and never their name?"""
    from portal.casework.models import ChronologyExport

    pupil, dsl = recorded
    download = _export(dsl, pupil, "significant")
    pdf = _pdf_text(download.data)
    assert "Significant events: chronology of Zainab Okonkwo-Reyes" in pdf
    assert "Significant events only (2)" in pdf
    for words in (
        "Disclosure to the class teacher",
        "Said her stepdad locks her in the shed.",
        "Strategy discussion held",
        "Police and social care agreed a section 47 enquiry.",
    ):
        assert words in pdf, words
    for words in ("Arrived without a coat", "Shivering at the gate", "Missed breakfast club", "Third morning running"):
        assert words not in pdf, words

    [export] = detached_rows(app, ChronologyExport, world.a.authority_id)
    assert export.significant_only is True
    made = export.completed_at.astimezone(UK).date().isoformat()
    disposition = download.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=chronology-p-{pupil.hex[:8]}-significant-events-{made}.pdf"
    assert not any(part in disposition.lower() for part in ("zainab", "okonkwo", "reyes"))
    [requested] = audit_events(app, world.a.authority_id, "export.requested")
    assert requested.details["significant_only"] is True


def test_the_full_pdfs_file_name_has_the_reference_and_not_the_name(app, world, recorded):
    """Is the full chronology's file named chronology-<reference>-<date>.pdf, with no part of the child's name?"""
    pupil, dsl = recorded
    disposition = _export(dsl, pupil, "all").headers["Content-Disposition"]
    assert re.fullmatch(rf"attachment; filename=chronology-p-{pupil.hex[:8]}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", disposition), disposition
    assert not any(part in disposition.lower() for part in ("zainab", "okonkwo", "reyes"))


# Query count -----------------------------------------------------------------------------------------


def _mark_directly(app, side, pupil_id, marks: dict[int, str]):
    """Mark lines of a pupil significant (n-th newest line -> person key), as if through the page."""
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        lines = db.session.execute(
            select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id).order_by(ChronologyEntry.occurred_at.desc(), ChronologyEntry.id.desc())
        ).scalars()
        lines = list(lines.unique())
        for index, key in marks.items():
            lines[index].significant, lines[index].significant_by_id, lines[index].significant_at = True, side.people[key].id, utcnow()
        db.session.commit()


def test_the_page_costs_the_same_queries_with_3_lines_as_with_30(app, world):
    """Does the chronology page, with each line's substance and who marked it, issue as many SQL statements for 30
    lines (written and marked by different people) as for 3 (no query per line or per person)?"""
    small = make_pupil(app, world.a, legal_forename="Small")
    large = make_pupil(app, world.a, legal_forename="Large")
    _add_lines(app, world.a, small, [(f"S{n}", n, f"Small line {n}") for n in range(3)])
    _add_lines(app, world.a, large, [(f"L{n}", n, f"Large line {n}") for n in range(0, 30, 2)], by="dsl1")
    _add_lines(app, world.a, large, [(f"L{n}", n, f"Large line {n}") for n in range(1, 30, 2)], by="head1")
    _mark_directly(app, world.a, small, {0: "dsl1", 2: "head1"})
    _mark_directly(app, world.a, large, {0: "dsl1", 3: "head1", 7: "dsl1", 12: "head1", 29: "head1"})
    client = signed_in_client(app, world.a.dsl1)
    client.get(f"/pupils/{small}/chronology")  # templates compiled, caches warm

    small_count, small_page = page_queries(app, client, f"/pupils/{small}/chronology")
    large_count, large_page = page_queries(app, client, f"/pupils/{large}/chronology")

    small_lines, large_lines = _lines(small_page), _lines(large_page)
    assert len(small_lines) == 3 and len(large_lines) == 30
    assert sum(line["significant"] for line in large_lines) == 5 and sum(line["significant"] for line in small_lines) == 2
    assert "Marked significant by Head1" in large_lines[29]["text"] and "Large line 29" in large_lines[29]["text"]
    assert small_count == large_count
    significant_count, _ = page_queries(app, client, f"/pupils/{large}/chronology?significant=y")
    assert significant_count == large_count
