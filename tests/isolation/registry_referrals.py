"""Isolation declarations for the referrals module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: Everyone in the authority who holds no referral work (no casework at school1, not the front door).
OUTSIDERS = ("staff1", "governor1", "admin", "assessor", "partner")

SUBMIT = (("submit", "dsl1"),)
ACKNOWLEDGED = SUBMIT + (("acknowledge", "front_door"),)
INFORMATION_REQUESTED = ACKNOWLEDGED + (("request_information", "front_door"),)
DECIDED = ACKNOWLEDGED + (("decide", "front_door"),)


def _referral(*steps):
    def target(app, side):
        from tests.factories import make_pupil, make_referral

        return {"referral_id": make_referral(app, side, make_pupil(app, side), steps=steps)}

    return target


def _with_person(*steps, kind="household"):
    def target(app, side):
        from tests.factories import make_pupil, make_referral, make_referral_person

        referral_id = make_referral(app, side, make_pupil(app, side), steps=steps)
        return {"referral_id": referral_id, "person_id": make_referral_person(app, side, referral_id, kind)}

    return target


def _with_agency(*steps):
    def target(app, side):
        from tests.factories import make_pupil, make_referral, make_referral_agency

        referral_id = make_referral(app, side, make_pupil(app, side), steps=steps)
        return {"referral_id": referral_id, "agency_id": make_referral_agency(app, side, referral_id)}

    return target


def _person_form(app, side):
    return {"name": "Lee Example", "relationship": "Mum's partner", "lives_in_household": "yes", "parental_responsibility": "no", "version": "1"}


def _sibling_form(app, side):
    return {"name": "Casey Example", "school": "Northfield Academy", "pupil": "", "version": "1"}


def _agency_form(app, side):
    return {"agency_type": "school_nurse", "professional_name": "Sam Nurse", "organisation": "School nursing team", "version": "1"}


def _school_side(endpoint, method, target, data=None):
    """A page of the referring school's casework: the front door and everyone else is refused."""
    return RouteIsolation(endpoint, method, "dsl1", target, refused=OUTSIDERS + ("front_door",), data=data, other_school=("dsl2",))


def _draft_form(app, side):
    return {"what_happened": "Bruising on both arms, seen at PE.", "categories": "physical_abuse", "version": "1", "save": "Save as draft"}


def _comment(app, side):
    return {"comment": "What did the child say about the bruises, in their own words?"}


def _decision(app, side):
    return {"decision": "early_help", "decision_level": "early_help", "reason": "Needs are met by an early help assessment led by the school."}


def _message(app, side):
    return {"body": "The child was absent today; we have told the attendance officer."}


def _front_door(endpoint, method, target, data=None):
    return RouteIsolation(endpoint, method, "front_door", target, ("dsl1",) + OUTSIDERS, data)


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("referrals.detail", "GET", "dsl1", _referral(*SUBMIT), refused=OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("referrals.submitted", "GET", "dsl1", _referral(*SUBMIT), refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    RouteIsolation("referrals.edit", "GET", "dsl1", _referral(), refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    RouteIsolation("referrals.edit", "POST", "dsl1", _referral(), refused=OUTSIDERS + ("front_door",), data=_draft_form, other_school=("dsl2",)),
    RouteIsolation("referrals.delete", "GET", "dsl1", _referral(), refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    RouteIsolation("referrals.delete", "POST", "dsl1", _referral(), refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    _front_door("referrals.acknowledge", "POST", _referral(*SUBMIT)),
    # The child's chronology the school shared with the referral: the front door only, read-only.
    _front_door("referrals.chronology", "GET", _referral(*SUBMIT)),
    _front_door("referrals.request_information", "GET", _referral(*ACKNOWLEDGED)),
    _front_door("referrals.request_information", "POST", _referral(*ACKNOWLEDGED), _comment),
    _front_door("referrals.decide", "GET", _referral(*ACKNOWLEDGED)),
    _front_door("referrals.decide", "POST", _referral(*ACKNOWLEDGED), _decision),
    _front_door("referrals.close", "POST", _referral(*DECIDED)),
    RouteIsolation(
        "referrals.provide_information", "GET", "dsl1", _referral(*INFORMATION_REQUESTED), refused=("front_door",) + OUTSIDERS, other_school=("dsl2",)
    ),
    RouteIsolation(
        "referrals.provide_information",
        "POST",
        "dsl1",
        _referral(*INFORMATION_REQUESTED),
        refused=("front_door",) + OUTSIDERS,
        data=_comment,
        other_school=("dsl2",),
    ),
    # The household, siblings and agencies: while a draft, and while the front door asks for information.
    _school_side("referrals.household_new", "GET", _referral()),
    _school_side("referrals.household_new", "POST", _referral(), _person_form),
    _school_side("referrals.sibling_new", "GET", _referral(*INFORMATION_REQUESTED)),
    _school_side("referrals.sibling_new", "POST", _referral(*INFORMATION_REQUESTED), _sibling_form),
    _school_side("referrals.person_change", "GET", _with_person()),
    _school_side("referrals.person_change", "POST", _with_person(), _person_form),
    _school_side("referrals.person_change", "POST", _with_person(*INFORMATION_REQUESTED, kind="sibling"), _sibling_form),
    _school_side("referrals.person_remove", "GET", _with_person(*INFORMATION_REQUESTED)),
    _school_side("referrals.person_remove", "POST", _with_person()),
    _school_side("referrals.agency_new", "GET", _referral()),
    _school_side("referrals.agency_new", "POST", _referral(*INFORMATION_REQUESTED), _agency_form),
    _school_side("referrals.agency_change", "GET", _with_agency(*INFORMATION_REQUESTED)),
    _school_side("referrals.agency_change", "POST", _with_agency(), _agency_form),
    _school_side("referrals.agency_remove", "GET", _with_agency()),
    _school_side("referrals.agency_remove", "POST", _with_agency(*INFORMATION_REQUESTED)),
    RouteIsolation("referrals.message", "POST", "dsl1", _referral(*SUBMIT), refused=OUTSIDERS, data=_message, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("referrals.index", "GET"): ("dsl1", "head1", "dsl2"),
    ("referrals.new", "GET"): ("dsl1", "head1", "dsl2"),
    ("referrals.queue", "GET"): ("front_door",),
}
