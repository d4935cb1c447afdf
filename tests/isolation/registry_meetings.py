"""Isolation declarations for the meetings module's routes (see ``registry.py`` for the fields).

The meeting is at school1, led by the front door; the police are invited and accepted; dsl1 and the
police partner accepted the information-sharing agreement. The health partner (partner2) is not invited.
"""

from __future__ import annotations

from datetime import date

from tests.isolation.route import RouteIsolation

#: Nobody of theirs is in the meeting: a member of staff and a governor of the school, the administrator,
#: and a partner agency that was not invited.
OUTSIDERS = ("staff1", "governor1", "admin", "partner2")
#: Work only the lead (children's social care) does: refused to the school and to the invited partner too.
NOT_THE_LEAD = OUTSIDERS + ("dsl1", "head1", "partner")


def _meeting(app, side):
    from tests.meetings.support import make_meeting

    return {"meeting_id": make_meeting(app, side, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted"})}


def _waiting_invitation(app, side):
    from tests.meetings.support import invitation_id, make_meeting

    meeting_id = make_meeting(app, side, invited={"police": "invited"})
    return {"invitation_id": invitation_id(app, side, meeting_id, "police")}


def _partner_action(app, side):
    from tests.meetings.support import make_action

    kwargs = _meeting(app, side)
    return {**kwargs, "action_id": make_action(app, side, kwargs["meeting_id"], owner="partner", due_on=date(2027, 3, 12))}


def _agreement(app, side):
    from tests.meetings.support import agreement

    return agreement(app, side)


def _answer(app, side):
    return {"answer": "accept", "note": "Our schools officer will attend."}


def _meeting_form(app, side):
    from tests.meetings.support import meeting_form

    return meeting_form(app, side, agenda="1. Introductions\n2. The park")


def _minutes(app, side):
    return {"minutes": "The group met in the library. The police will patrol the park after school.", "version": "1"}


def _return(app, side):
    return {"trends_and_themes": "Younger students are being asked to carry bags for older young people.", "version": "1", "save": "Save"}


def _invite(app, side):
    return {"organisation": str(side.health)}


def _add_attendee(app, side):
    return {"intent": "add", "user": str(side.head1.id), "role": "attendee"}


def _new_action(app, side):
    return {"description": "Share the park's patrol times with the school", "owner": f"organisation:{side.police}", "due_on": ["12", "3", "2027"]}


def _action_update(app, side):
    return {"status": "in_progress", "progress_note": "Patrols started on Monday.", "version": "1"}


def _lead(endpoint, method, data=None):
    return RouteIsolation(endpoint, method, "front_door", _meeting, NOT_THE_LEAD, data, other_school=("dsl2",))


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("meetings.detail", "GET", "dsl1", _meeting, refused=OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("meetings.accept_agreement", "POST", "head1", _meeting, refused=OUTSIDERS, data=_agreement, other_school=("dsl2",)),
    RouteIsolation("meetings.respond", "POST", "partner", _waiting_invitation, refused=OUTSIDERS + ("dsl1",), data=_answer, other_school=("dsl2",)),
    _lead("meetings.edit", "GET"),
    _lead("meetings.edit", "POST", _meeting_form),
    _lead("meetings.minutes", "GET"),
    _lead("meetings.minutes", "POST", _minutes),
    RouteIsolation("meetings.return_edit", "GET", "dsl1", _meeting, refused=OUTSIDERS + ("partner",), other_school=("dsl2",)),
    RouteIsolation("meetings.return_edit", "POST", "dsl1", _meeting, refused=OUTSIDERS + ("partner",), data=_return, other_school=("dsl2",)),
    _lead("meetings.invite", "POST", _invite),
    _lead("meetings.attendees", "GET"),
    _lead("meetings.attendees", "POST", _add_attendee),
    _lead("meetings.action_new", "GET"),
    _lead("meetings.action_new", "POST", _new_action),
    RouteIsolation("meetings.action_edit", "GET", "partner", _partner_action, refused=OUTSIDERS + ("dsl1", "head1"), other_school=("dsl2",)),
    RouteIsolation(
        "meetings.action_edit", "POST", "partner", _partner_action, refused=OUTSIDERS + ("dsl1", "head1"), data=_action_update, other_school=("dsl2",)
    ),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("meetings.new", "GET"): ("front_door", "assessor"),
}
