"""Isolation declarations for the contexts module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: People of the authority with no part in the context panel or a school's context referrals.
OUTSIDERS = ("staff1", "governor1", "admin")
#: Not on the panel: school people, uninvited partners and the rest.
NOT_PANEL = ("dsl1", "head1", "partner", "partner2") + OUTSIDERS
ALL_BUT_ADMIN = ("staff1", "dsl1", "dsl2", "head1", "governor1", "front_door", "assessor", "partner", "partner2")


def _referral(app, side):
    """A context referral about school1, raised by its DSL (open)."""
    from tests.contexts.support import make_referral

    return {"context_referral_id": make_referral(app, side)}


def _listed_referral(app, side):
    """A context referral listed for a panel meeting whose invitation the police accepted (the health
    service is invited too, but has not answered yet)."""
    from tests.contexts.support import make_meeting, make_referral

    referral_id = make_referral(app, side)
    make_meeting(app, side, invite=("police", "health"), accepted=("police",), listed=(referral_id,))
    return {"context_referral_id": referral_id}


def _meeting(app, side):
    from tests.contexts.support import make_meeting

    return {"panel_meeting_id": make_meeting(app, side)}


def _meeting_police_invited(app, side):
    from tests.contexts.support import make_meeting

    return {"panel_meeting_id": make_meeting(app, side, invite=("police",))}


def _invitation(app, side):
    from tests.contexts.support import invitation_id, make_meeting

    return {"invitation_id": invitation_id(app, side, make_meeting(app, side, invite=("police",)))}


def _threshold_set(app, side):
    from portal.contexts.service import current_thresholds
    from portal.extensions import db
    from tests.factories import _scope

    with _scope(app, side):
        version_id = current_thresholds().id
        db.session.commit()
        return {"threshold_set_id": version_id}


def _assessment(app, side, lead: str | None = "assessor"):
    """A school assessment of school1 opened by the front door's decision, led by the assessor."""
    from portal.contexts.models import ContextReferral
    from tests.contexts.support import decide, make_referral, row

    referral_id = make_referral(app, side, levels=("child_protection",))
    decide(app, side, referral_id, "school_assessment", level=_level("child_protection"), lead_id=side.people[lead].id if lead else None)
    return {"assessment_id": row(app, side, ContextReferral, referral_id).assessment_id}


def _assessment_without_lead(app, side):
    return _assessment(app, side, lead=None)


def _level(value):
    from portal.vocabulary import Level

    return Level(value)


def _meeting_form(app, side):
    return {"meets_on": ["3", "3", "2031"], "meets_time": "14:30", "venue": "County Hall, room 4", "chair": "", "version": "1"}


def _decision_form(app, side):
    from tests.contexts.support import make_meeting

    return {"panel_meeting": str(make_meeting(app, side)), "decision": "below_threshold", "advice": "Supervise the gates.", "reason": "Managed by the school."}


def _list_form(app, side):
    from tests.contexts.support import make_meeting

    return {"panel_meeting_id": str(make_meeting(app, side)), "version": "1"}


def _invite_form(app, side):
    return {"organisation": str(side.health)}


def _respond_form(app, side):
    return {"answer": "accept", "note": "Our sergeant will attend."}


def _attendance_form(app, side):
    return {"attended": [str(side.front_door.id)], "others": "A youth worker from the youth service", "version": "1"}


_NOT_ON_ASSESSMENT = ("staff1", "governor1", "admin", "partner", "partner2")


def _panel(endpoint, method, target, data=None, refused=NOT_PANEL):
    return RouteIsolation(endpoint, method, "front_door", target, refused, data, other_school=("dsl2",))


ENTRIES: list[RouteIsolation] = [
    # A referral about school1 raised by its DSL: the other school, governors, staff, the administrator
    # and partners (not invited to a panel it is listed for) get 404.
    RouteIsolation("contexts.detail", "GET", "dsl1", _referral, refused=OUTSIDERS + ("partner", "partner2"), other_school=("dsl2",)),
    # A partner that accepted the panel's invitation sees a referral on its agenda; one invited but
    # not yet answering, or not invited, does not.
    RouteIsolation("contexts.detail", "GET", "partner", _listed_referral, refused=("partner2",) + OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("contexts.detail", "GET", "assessor", _referral, refused=OUTSIDERS, other_school=("dsl2",)),
    _panel("contexts.decide", "GET", _referral),
    _panel("contexts.decide", "POST", _referral, _decision_form),
    _panel("contexts.panel_list", "POST", _referral, _list_form),
    _panel("contexts.panel_detail", "GET", _meeting),
    RouteIsolation("contexts.panel_detail", "GET", "partner", _meeting_police_invited, refused=("partner2", "dsl1") + OUTSIDERS, other_school=("dsl2",)),
    _panel("contexts.panel_edit", "GET", _meeting),
    _panel("contexts.panel_edit", "POST", _meeting, _meeting_form),
    _panel("contexts.panel_invite", "POST", _meeting, _invite_form),
    _panel("contexts.panel_attendance", "GET", _meeting),
    _panel("contexts.panel_attendance", "POST", _meeting, _attendance_form),
    # The invited organisation answers; the panel itself and other organisations cannot answer for it.
    RouteIsolation("contexts.panel_respond", "GET", "partner", _invitation, refused=("front_door", "partner2", "dsl1") + OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation(
        "contexts.panel_respond",
        "POST",
        "partner",
        _invitation,
        refused=("front_door", "partner2", "dsl1") + OUTSIDERS,
        data=_respond_form,
        other_school=("dsl2",),
    ),
    RouteIsolation("contexts.threshold_version", "GET", "admin", _threshold_set, refused=ALL_BUT_ADMIN),
    # A school assessment of school1: the person who opened it, its lead, its members (the school's DSLs
    # and head); not every officer of social care (an assessor who is neither lead nor member gets 404).
    RouteIsolation("assessments.detail", "GET", "assessor", _assessment, refused=_NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.detail", "GET", "dsl1", _assessment, refused=_NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.detail", "GET", "front_door", _assessment_without_lead, refused=("assessor",) + _NOT_ON_ASSESSMENT, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

_WORKS_ON_CONTEXTS = ("dsl1", "head1", "dsl2", "front_door", "assessor", "partner", "partner2")

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("contexts.index", "GET"): _WORKS_ON_CONTEXTS,
    ("contexts.panel", "GET"): _WORKS_ON_CONTEXTS,
    ("contexts.new", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor"),
    ("contexts.panel_new", "GET"): ("front_door", "assessor"),
    ("contexts.thresholds", "GET"): ("admin",),
    ("contexts.thresholds_edit", "GET"): ("admin",),
}
