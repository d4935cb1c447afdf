"""The thread on a request: the school and the front door reply to each other, and each side is told."""

from __future__ import annotations

import re

from portal.advice.models import AdviceMessage
from tests.admin.pages import field_error, page_text
from tests.factories import make_advice
from tests.support import audit_events

SCHOOL_SAYS = "Since we asked, the child has told a teaching assistant that she is scared to go home."
FRONT_DOOR_SAYS = "Thank you. Please ring the front door now on the number in your procedures."


def _thread(response) -> list[str]:
    """The messages as shown: "<side>: <author>, <time> <text>", oldest first."""
    markup = response.get_data(as_text=True)
    section = markup[markup.index('id="thread"') : markup.index('action="/advice/')]
    blocks = re.findall(r'<div class="govuk-!-margin-bottom-6">(.*?)</div>', section, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", b)).strip() for b in blocks]


def test_school_reply_tells_every_officer_until_one_takes_it(app, world, signed_in, front_door2, titles):
    """Is the DSL's reply on a request nobody has taken saved, audited, and told to every front-door officer?"""
    advice_id = make_advice(app, world.a)
    dsl = signed_in(world.a.dsl1)
    response = dsl.post(f"/advice/{advice_id}/reply", data={"body": SCHOOL_SAYS})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/advice/{advice_id}#thread")
    expected = ["Avonford Primary School has replied about a request for advice"]
    assert titles(world.a.front_door) == expected and titles(front_door2) == expected
    assert titles(world.a.dsl1) == []
    [event] = audit_events(app, world.a.authority_id, "advice.message")
    assert event.details["from"] == "school" and SCHOOL_SAYS not in str(event.details)
    page = dsl.get(f"/advice/{advice_id}")
    assert "Your message has been sent." in page_text(page)
    [shown] = _thread(page)
    assert shown.startswith(f"School : {world.a.dsl1.full_name},")
    assert shown.endswith(SCHOOL_SAYS)


def test_replies_both_ways_oldest_first(app, world, signed_in, front_door2, titles, rows):
    """Once taken, is the school's reply told only to the officer who took it, the front door's reply told
    to the DSL who asked, and the thread shown oldest first with who wrote each message?"""
    advice_id = make_advice(app, world.a)
    officer = signed_in(world.a.front_door)
    officer.post(f"/advice/{advice_id}/take")
    dsl = signed_in(world.a.dsl1)
    assert dsl.post(f"/advice/{advice_id}/reply", data={"body": SCHOOL_SAYS}).status_code == 302
    assert officer.post(f"/advice/{advice_id}/reply", data={"body": FRONT_DOOR_SAYS}).status_code == 302

    assert titles(world.a.front_door) == ["Avonford Primary School has replied about a request for advice"]
    assert titles(front_door2) == []
    assert titles(world.a.dsl1) == ["The front door has replied about your request for advice"]
    messages = sorted(rows(AdviceMessage, world.a.authority_id), key=lambda m: m.created_at)
    assert [(m.from_front_door, m.author_id) for m in messages] == [(False, world.a.dsl1.id), (True, world.a.front_door.id)]
    assert [e.details["from"] for e in audit_events(app, world.a.authority_id, "advice.message")] == ["school", "front_door"]

    for client in (dsl, officer):
        shown = _thread(client.get(f"/advice/{advice_id}"))
        assert [s.split(",")[0] for s in shown] == [f"School : {world.a.dsl1.full_name}", f"Front door : {world.a.front_door.full_name}"]
        assert shown[0].endswith(SCHOOL_SAYS) and shown[1].endswith(FRONT_DOOR_SAYS)


def test_the_head_can_reply_for_the_school(app, world, signed_in, titles):
    """Can the school's head reply on the DSL's request, with the front door told?"""
    advice_id = make_advice(app, world.a)
    assert signed_in(world.a.head1).post(f"/advice/{advice_id}/reply", data={"body": SCHOOL_SAYS}).status_code == 302
    assert titles(world.a.front_door) == ["Avonford Primary School has replied about a request for advice"]


def test_an_empty_or_too_long_message_is_refused_next_to_the_field(app, world, signed_in, rows, titles):
    """Is an empty message refused next to the message box on the request page, and a too-long one refused
    keeping the text, with nothing sent?"""
    advice_id = make_advice(app, world.a)
    dsl = signed_in(world.a.dsl1)
    response = dsl.post(f"/advice/{advice_id}/reply", data={"body": "   "})
    assert response.status_code == 200
    assert field_error(response, "body") == "Enter your message"
    assert "There is a problem" in page_text(response)
    assert "Request for advice" in page_text(response)

    long_text = "The child said " + "more " * 2500
    response = dsl.post(f"/advice/{advice_id}/reply", data={"body": long_text})
    assert field_error(response, "body") == "Your message must be 10,000 characters or fewer"
    assert long_text.strip() in response.get_data(as_text=True)
    assert rows(AdviceMessage, world.a.authority_id) == []
    assert titles(world.a.front_door) == []
