"""The list pages that had no query-count test of their own, lists inside one object included (a thread's
posts, a summit's actions): each issues as many statements with a few rows as with many more (no
statement per row), and shows the rows it was given.

The rows are made by different people, of different organisations, in different categories, so that a
statement per row cannot hide behind the session's identity map (the same author loaded once)."""

from __future__ import annotations

import io
import itertools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.accounts.models import Membership, Role, UserSession
from portal.advice.models import AdviceMessage
from portal.assessments.models import AssessmentMember, AssessmentMemberRole, AssessmentNote
from portal.authorities.models import AuthorityDuty, Duty
from portal.casework import attachments
from portal.casework.models import CalendarDay, ManualEntryRevision, ManualKind
from portal.casework.record import ManualDetails, add_manual_entry
from portal.clock import uk_today
from portal.concerns.models import Concern, ConcernCategory, ConcernLink
from portal.contexts.models import ContextReferralPupil, PanelMeeting, ThresholdSet
from portal.extensions import db
from portal.forums.models import ForumGuest, ForumPostRevision, ForumResourceVersion
from portal.notifications.service import notify
from portal.partnership.models import Participant, PlanAction
from portal.pupils.models import Pupil
from portal.selfreview import frameworks
from portal.summits.models import ActivityKind, MapKind, SafetyMap, SummitActivity, SummitFinding, YouSaidWeDid
from tests.assessments import support as assessment_support
from tests.assessments.test_methods import make_method
from tests.assessments.test_plan import make_action as make_assessment_action
from tests.assessments.test_report import make_report as make_assessment_report
from tests.assessments.triangle_support import make_assessment, make_finding
from tests.casework.conftest import TINY_PDF
from tests.contexts.support import make_meeting as make_panel_meeting
from tests.contexts.support import make_referral as make_context_referral
from tests.factories import _scope, make_advice, make_concern, make_pupil
from tests.forums.support import make_category, make_post, make_report, make_thread, name_network_lead
from tests.forums.test_resources import make_resource
from tests.forums.test_subscriptions import follow
from tests.meetings.support import make_meeting
from tests.selfreview.support import make_action as make_development_action
from tests.selfreview.support import make_review
from tests.summits.map_support import make_link, make_map, make_marker
from tests.summits.support import invite, make_summit
from tests.support import page_queries, signed_in_client
from tests.world import create_organisation, create_user

#: Numbers not used before in the run, for names, URNs and dates that must be unique in an authority.
_serial = itertools.count(1)

#: Members of the DSL network, who write its posts and resources in turn.
MEMBERS = ("dsl1", "dsl2", "head1", "front_door")


@dataclass(frozen=True)
class ListPage:
    """A list page: its address (``{id}`` stands for what ``setup`` made), who opens it (a key of the world's
    people; None for a page opened without signing in) and ``add(app, side, n, made)``, which adds ``n``
    rows that show on it. ``setup(app, side)``, when given, runs once first: it makes what the rows belong
    to (a thread, a summit) or what the page needs (a network lead), and returns what ``add`` is given as
    ``made``."""

    url: str
    who: str | None
    add: Callable
    setup: Callable | None = None


# Helpers ---------------------------------------------------------------------------------------------------


def _numbers(n: int) -> Iterable[int]:
    return itertools.islice(_serial, n)


def _person(app, side, role: str, organisation_id):
    """Someone new in the authority, with ``role`` at ``organisation_id``."""
    return create_user(app, side.authority_id, f"person{next(_serial)}@{side.slug}.example.org", role, organisation_id)


def _saved(app, side, rows: Iterable) -> None:
    """Add ``rows`` in the authority, and commit."""
    with _scope(app, side):
        db.session.add_all(list(rows))
        db.session.commit()


def _owner(side, k) -> dict:
    """An action's owner, in turn a person of the school, one of social care, or an organisation."""
    return [
        {"owner_user_id": side.dsl1.id},
        {"owner_user_id": side.assessor.id},
        {"owner_organisation_id": side.police},
        {"owner_organisation_id": side.health},
    ][k % 4]


def _pdf(k) -> FileStorage:
    return FileStorage(io.BytesIO(TINY_PDF), filename=f"note-{k}.pdf")


# Casework ----------------------------------------------------------------------------------------------------


def _notifications(app, side, n, made):
    with _scope(app, side):
        for k in _numbers(n):
            notify(side.front_door.id, f"A referral needs your decision ({k})", link="/front-door/referrals", email=False)
        db.session.commit()


def _sessions(app, side, n, made):
    """Other browsers the first school's DSL is signed in on."""
    _saved(app, side, (UserSession(user_id=side.dsl1.id, secret_hash=secrets.token_hex(32), user_agent=f"Browser {k}") for k in _numbers(n)))


def _pupils(app, side, n, made):
    """Pupils of the first school (every one called Example)."""
    for k in _numbers(n):
        make_pupil(app, side, legal_forename=f"Pupil{k}")


def _advice_request(app, side):
    return make_advice(app, side, make_pupil(app, side))


def _advice_messages(app, side, n, advice_id):
    """A message (from the school or the front door) and a file, each time."""
    with _scope(app, side):
        for k in _numbers(n):
            author = (side.dsl1, side.front_door, side.head1)[k % 3]
            db.session.add(AdviceMessage(advice_request_id=advice_id, author_id=author.id, from_front_door=author is side.front_door, body=f"Message {k}"))
            attachments.save(_pdf(k), organisation_id=side.school1, advice_request_id=advice_id, uploaded_by_id=author.id)
        db.session.commit()


def _concern(app, side):
    return make_concern(app, side, make_pupil(app, side))


def _linked_concerns(app, side, n, concern_id):
    """A concern about the same child (logged by one person or another) linked to this one, and a file on
    this one, each time."""
    with _scope(app, side):
        pupil_id = db.session.execute(select(Concern.pupil_id).where(Concern.id == concern_id)).scalar_one()
    others = [make_concern(app, side, pupil_id, by=("staff1", "dsl1", "head1")[i % 3]) for i in range(n)]
    with _scope(app, side):
        for other in others:
            low, high = sorted([concern_id, other])
            db.session.add(ConcernLink(concern_id=low, linked_concern_id=high, linked_by_id=side.dsl1.id))
            attachments.save(_pdf(next(_serial)), organisation_id=side.school1, concern_id=concern_id, uploaded_by_id=side.dsl1.id)
        db.session.commit()


def _concern_categories(app, side, n, made):
    _saved(app, side, (ConcernCategory(key=f"own-{k}", label=f"Local priority {k}") for k in _numbers(n)))


def _manual_entry(app, side):
    """A call recorded on a pupil's chronology by the first school's DSL."""
    pupil_id = make_pupil(app, side)
    with _scope(app, side, side.dsl1):
        details = ManualDetails(list(ManualKind)[0], datetime(2026, 11, 2, 14, 30, tzinfo=UTC), "The DSL and the social worker.", "A call.", None)
        entry = add_manual_entry(db.session.get(Pupil, pupil_id), details, actor_id=side.dsl1.id)
        db.session.commit()
        return entry.id


def _corrections(app, side, n, entry_id):
    """Corrections of the entry, by the school's DSL or its head in turn."""
    _saved(
        app,
        side,
        (
            ManualEntryRevision(
                manual_entry_id=entry_id, changed_by_id=(side.dsl1, side.head1)[k % 2].id, changes={"Who was involved": [f"Before {k}", f"After {k}"]}
            )
            for k in _numbers(n)
        ),
    )


def _calendar_days(app, side, n, made):
    days = [uk_today() + timedelta(days=k) for k in _numbers(n)]
    _saved(app, side, (CalendarDay(day=day, is_working_day=False, label=f"Closure {day}") for day in days))


# Context referrals and the context panel --------------------------------------------------------------------


def _context_referrals(app, side, n, made):
    for _ in range(n):
        make_context_referral(app, side)


def _context_referral(app, side):
    return make_context_referral(app, side)


def _named_pupils(app, side, n, referral_id):
    """Pupils of the school named on the context referral."""
    pupils = [make_pupil(app, side, legal_forename=f"Pupil{k}") for k in _numbers(n)]
    _saved(app, side, (ContextReferralPupil(context_referral_id=referral_id, pupil_id=p) for p in pupils))


def _panel_meetings(app, side, n, made):
    for k in _numbers(n):
        make_panel_meeting(app, side, days=7 + k)


def _panel_meeting(app, side):
    make_panel_meeting(app, side, days=14)  # where some of the referrals waiting are listed
    return make_panel_meeting(app, side, invite=("police", "health"), accepted=("police",))


def _panel_rows(app, side, n, meeting_id):
    """A referral on the agenda, one waiting (or listed at the other meeting) and someone who attended, each
    time."""
    with _scope(app, side):
        other = db.session.execute(select(PanelMeeting.id).where(PanelMeeting.id != meeting_id)).scalar_one()
    for k in _numbers(n):
        by, school = (("dsl1", "school1"), ("dsl2", "school2"))[k % 2]
        make_context_referral(app, side, by, school, panel_meeting_id=meeting_id)
        make_context_referral(app, side, by, school, panel_meeting_id=other if k % 3 else None)
    people = [_person(app, side, "partner", side.police) for _ in range(n)]
    _saved(app, side, (Participant(panel_meeting_id=meeting_id, user_id=p.id, added_by_id=side.front_door.id, attended=True) for p in people))


# Partnership meetings, summits and safety maps ------------------------------------------------------------------


def _meetings(app, side, n, made):
    for k in _numbers(n):
        make_meeting(app, side, title=f"School partnership meeting {k}", meets_at=datetime(2027, 1, 10, 9, tzinfo=UTC) + timedelta(days=k))


def _meeting(app, side):
    return make_meeting(app, side, invited={"police": "accepted", "health": "invited"})


def _meeting_rows(app, side, n, meeting_id):
    """An action and a person taking part (a partner of the police or of health), each time."""
    people = [_person(app, side, "partner", side.police if i % 2 else side.health) for i in range(n)]
    accepted = datetime(2026, 11, 2, tzinfo=UTC)

    def rows():
        for person, k in zip(people, _numbers(n), strict=True):
            yield PlanAction(
                meeting_id=meeting_id,
                description=f"Action {k}",
                due_on=date(2027, 1, 1) + timedelta(days=k),
                created_by_id=side.front_door.id,
                **_owner(side, k),
            )
            yield Participant(meeting_id=meeting_id, user_id=person.id, added_by_id=side.front_door.id, information_sharing_accepted_at=accepted)

    _saved(app, side, rows())


def _summits(app, side, n, made):
    for k in _numbers(n):
        make_summit(app, side, title=f"Student Safety Summit {k}")


def _summit(app, side):
    summit_id = make_summit(app, side)
    invite(app, side, summit_id, "police", "accepted")
    return summit_id


def _summit_rows(app, side, n, summit_id):
    """A person taking part, an activity they facilitate, a finding, an action, a "you said, we did" and a
    safety map, each time."""
    people = [_person(app, side, "dsl", side.school1) for _ in range(n)]

    def rows():
        for person, k in zip(people, _numbers(n), strict=True):
            by = side.people[MEMBERS[k % 4]].id
            yield Participant(summit_id=summit_id, user_id=person.id, added_by_id=side.front_door.id)
            yield SummitActivity(summit_id=summit_id, kind=ActivityKind.NEIGHBOURHOOD, title=f"Activity {k}", facilitator_id=person.id)
            yield SummitFinding(summit_id=summit_id, text=f"Finding {k}", created_by_id=by)
            yield PlanAction(summit_id=summit_id, description=f"Action {k}", due_on=date(2027, 1, 1) + timedelta(days=k), created_by_id=by, **_owner(side, k))
            yield YouSaidWeDid(
                summit_id=summit_id, you_said=f"You said {k}", we_did=f"We did {k}", told_on=date(2026, 6, 1), told_how="In assembly.", created_by_id=by
            )
            yield SafetyMap(
                summit_id=summit_id,
                title=f"Map {k}",
                kind=MapKind.NEIGHBOURHOOD,
                description="The streets around the school.",
                content_type="image/png",
                size_bytes=1000,
                width=800,
                height=600,
                storage_key=f"{k:032x}",
                uploaded_by_id=by,
            )

    _saved(app, side, rows())


def _summit_people(app, side, n, summit_id):
    """A DSL of the host school or a police partner, each time."""
    people = [_person(app, side, *(("dsl", side.school1) if i % 2 else ("partner", side.police))) for i in range(n)]
    _saved(app, side, (Participant(summit_id=summit_id, user_id=p.id, added_by_id=side.front_door.id) for p in people))


def _map(app, side):
    return make_map(app, side, _summit(app, side))


def _square(k) -> str:
    return "ABCDEFGH"[k % 8] + str(1 + k % 6)


def _markers(app, side, n, map_id):
    """A marker (placed by one person or another) and a tablet link, each time."""
    for k in _numbers(n):
        make_marker(app, side, map_id, _square(k), ("safe", "unsafe")[k % 2], by=MEMBERS[k % 4], place=f"Place {k}")
        make_link(app, side, map_id, f"Group {k}", by=("dsl1", "front_door")[k % 2])


def _tablet(app, side):
    """A map's link for a group's tablet: the map, the link and its secret (which the page's address carries)."""
    map_id = _map(app, side)
    link_id, secret = make_link(app, side, map_id)
    return SimpleNamespace(map_id=map_id, link_id=link_id, secret=secret)


def _tablet_markers(app, side, n, tablet):
    for k in _numbers(n):
        make_marker(app, side, tablet.map_id, _square(k), ("safe", "unsafe")[k % 2], link_id=tablet.link_id, place=f"Place {k}")


# Self-review and school assessments ------------------------------------------------------------------------------


def _earlier_reviews(app, side, n, made):
    """The first school's reviews of earlier years, of one framework or the other."""
    for k in _numbers(n):
        make_review(app, side, framework=("practical-tips", "assured-heads")[k % 2], year=2000 - k, by=("head1", "dsl1")[k % 2])


def _review(app, side):
    return make_review(app, side)


def _development_actions(app, side, n, review_id):
    """Actions of the review, on one question or another, owned by a person or by someone written in."""
    questions = frameworks.get("practical-tips").questions
    for k in _numbers(n):
        owner = {"owner": ("dsl1", "head1", "staff1")[k % 3]} if k % 4 else {"owner_name": f"The school nurse {k}"}
        make_development_action(app, side, review_id, question_key=questions[k % len(questions)].key, description=f"Action {k}", **owner)


def _assessments(app, side, n, made):
    for i in range(n):
        assessment_support.make_assessment(app, side, school=("school1", "school2")[i % 2])


def _assessment(app, side):
    return make_assessment(app, side, partners=("partner",))


def _notes_and_members(app, side, n, assessment_id):
    """A note (by the assessor, the school or the partner) and a partner member, each time."""
    people = [_person(app, side, "partner", side.police) for _ in range(n)]

    def rows():
        for person, k in zip(people, _numbers(n), strict=True):
            yield AssessmentNote(assessment_id=assessment_id, author_id=side.people[("assessor", "dsl1", "partner")[k % 3]].id, body=f"Note {k}")
            yield AssessmentMember(assessment_id=assessment_id, user_id=person.id, role=AssessmentMemberRole.PARTNER)

    _saved(app, side, rows())


DOMAINS = ("pupil_development", "guardianship", "environment")


def _findings(app, side, n, assessment_id):
    for k in _numbers(n):
        by = ("assessor", "dsl1", "partner")[k % 3]
        make_finding(app, side, assessment_id, by=by, domain=DOMAINS[k % 3], rating=("concern", "strength")[k % 2], text=f"Finding {k}")


def _methods(app, side, n, assessment_id):
    """A method (by the assessor or the school) supporting a finding of its own, each time."""
    for k in _numbers(n):
        by = ("assessor", "dsl1")[k % 2]
        make_method(app, side, assessment_id, by=by, found=f"Method {k}", findings=[make_finding(app, side, assessment_id, by=by, text=f"Finding {k}")])


def _assessment_actions(app, side, n, assessment_id):
    for k in _numbers(n):
        owner = [{"owner": "dsl1"}, {"owner": "assessor"}, {"organisation": "police"}, {"organisation": "school1"}][k % 4]
        make_assessment_action(app, side, assessment_id, domain=DOMAINS[k % 3], description=f"Action {k}", **owner)


def _assessment_reports(app, side, n, assessment_id):
    """The assessor's reports, ready or still being made."""
    for i in range(n):
        make_assessment_report(app, side, assessment_id, by="assessor", ready=bool(i % 2))


# The administrator's pages ----------------------------------------------------------------------------------------


def _users(app, side, n, made):
    for _ in range(n):
        _person(app, side, "staff", side.school1)


def _staff_member(app, side):
    return _person(app, side, "staff", side.school1).id


def _roles(app, side, n, user_id):
    """A role at a new school, each time."""
    schools = [create_organisation(app, side.authority_id, f"Avonford Academy {k}", "school", urn=f"{800000 + k}") for k in _numbers(n)]
    _saved(app, side, (Membership(user_id=user_id, role=Role.STAFF, organisation_id=school) for school in schools))


def _organisations(app, side, n, made):
    for k in _numbers(n):
        create_organisation(app, side.authority_id, f"Avonford Academy {k}", "school", urn=f"{700000 + k}", phase="secondary")


def _duties(app, side, n, made):
    """Someone new named for one duty or another, each time."""
    people = [_person(app, side, "front_door", side.social_care) for _ in range(n)]
    _saved(app, side, (AuthorityDuty(user_id=p.id, duty=list(Duty)[i % len(Duty)]) for i, p in enumerate(people)))


def _threshold_versions(app, side, n, made):
    """Versions of the threshold indicators, each saved by another administrator."""
    admins = [_person(app, side, "authority_admin", None) for _ in range(n)]
    with _scope(app, side):
        number = db.session.execute(select(func.max(ThresholdSet.number))).scalar() or 0
        for i, admin in enumerate(admins):
            db.session.add(ThresholdSet(number=number + 1 + i, note=f"Change {next(_serial)}", created_by_id=admin.id))
        db.session.commit()


def _need_guidance_versions(app, side, n, made):
    """Versions of the levels-of-need guidance, each saved by another administrator."""
    from portal.needs.models import NeedGuidance
    from portal.needs.service import current_guidance

    admins = [_person(app, side, "authority_admin", None) for _ in range(n)]
    with _scope(app, side):
        current_guidance()
        number = db.session.execute(select(func.max(NeedGuidance.number))).scalar() or 0
        for i, admin in enumerate(admins):
            db.session.add(NeedGuidance(number=number + 1 + i, note=f"Change {next(_serial)}", created_by_id=admin.id))
        db.session.commit()


# The DSL network ------------------------------------------------------------------------------------------------------


def _network(app, side):
    """The network's lead (the front door, who moderates) and a category: the category's id."""
    name_network_lead(app, side)
    return make_category(app, side)


def _category(app, side):
    return make_category(app, side)


def _categories(app, side, n, made):
    """A category with a thread in it, each time."""
    for k in _numbers(n):
        make_thread(app, side, make_category(app, side, name=f"Topic {k}"), by=MEMBERS[k % 4], title=f"Thread {k}")


def _threads(app, side, n, category_id):
    """A thread with a reply (by someone else), each time."""
    for k in _numbers(n):
        thread_id, _ = make_thread(app, side, category_id, by=MEMBERS[k % 4], title=f"Thread {k}")
        make_post(app, side, thread_id, by=MEMBERS[(k + 1) % 4])


def _chats(app, side, n, category_id):
    """Threads (and their opening posts) that say "chats"."""
    for k in _numbers(n):
        make_thread(app, side, category_id, by=MEMBERS[k % 4], title=f"Group chats {k}")


def _resources(app, side, n, made):
    """A resource in a category of its own, each time."""
    for k in _numbers(n):
        make_resource(app, side, by=MEMBERS[k % 4], title=f"Policy template {k}", category_id=make_category(app, side, name=f"Topic {k}"))


def _resource(app, side):
    return make_resource(app, side)[0]


def _resource_versions(app, side, n, resource_id):
    """Later versions of the resource, uploaded by one member or another."""

    def version(k):
        return ForumResourceVersion(
            resource_id=resource_id,
            number=k + 1,
            storage_key=f"{k:064x}",
            filename=f"policy-v{k + 1}.pdf",
            content_type="application/pdf",
            size_bytes=1000,
            uploaded_by_id=side.people[MEMBERS[k % 4]].id,
        )

    _saved(app, side, (version(k) for k in _numbers(n)))


def _subscriptions(app, side, n, made):
    """A category, and a thread of another category, followed by the first school's DSL, each time."""
    for k in _numbers(n):
        follow(app, side, "dsl1", category_id=make_category(app, side, name=f"Topic {k}"))
        thread_id, _ = make_thread(app, side, make_category(app, side, name=f"Other topic {k}"), by=MEMBERS[k % 4], title=f"Thread {k}")
        follow(app, side, "dsl1", thread_id=thread_id)


def _reports(app, side, n, category_id):
    """A report of a reply, each in a thread of its own (by different members)."""
    for k in _numbers(n):
        thread_id, _ = make_thread(app, side, category_id, by=MEMBERS[k % 4], title=f"Thread {k}")
        make_report(app, side, make_post(app, side, thread_id, by=MEMBERS[(k + 1) % 4]), by=MEMBERS[(k + 2) % 4])


def _guests(app, side, n, made):
    """Partners of the police or of health invited into the network by its lead."""
    people = [_person(app, side, "partner", side.police if i % 2 else side.health) for i in range(n)]
    _saved(app, side, (ForumGuest(user_id=p.id, invited_by_id=side.front_door.id) for p in people))


def _post(app, side):
    """A post of the first school's DSL, who may read its history."""
    return make_thread(app, side, make_category(app, side), by="dsl1")[1]


def _revisions(app, side, n, post_id):
    """Earlier texts of the post, edited by its author or the network lead."""
    _saved(app, side, (ForumPostRevision(post_id=post_id, body=f"Earlier text {k}", edited_by_id=(side.dsl1, side.front_door)[k % 2].id) for k in _numbers(n)))


LISTS = [
    # Casework
    ListPage("/notifications", "front_door", _notifications),
    ListPage("/account", "dsl1", _sessions),
    ListPage("/concerns/new?q=Example", "staff1", _pupils),
    ListPage("/referrals/new?q=Example", "dsl1", _pupils),
    ListPage("/advice/{id}", "front_door", _advice_messages, _advice_request),
    ListPage("/concerns/{id}", "dsl1", _linked_concerns, _concern),
    ListPage("/concerns/categories", "admin", _concern_categories),
    ListPage("/chronology/entries/{id}", "dsl1", _corrections, _manual_entry),
    ListPage("/settings/calendar", "admin", _calendar_days),
    # Context referrals and the context panel
    ListPage("/context-referrals", "front_door", _context_referrals),
    ListPage("/context-referrals/{id}", "dsl1", _named_pupils, _context_referral),
    ListPage("/context-panel", "front_door", _panel_meetings),
    ListPage("/context-panel/{id}", "front_door", _panel_rows, _panel_meeting),
    # Partnership meetings, summits and safety maps
    ListPage("/meetings", "front_door", _meetings),
    ListPage("/meetings/{id}", "front_door", _meeting_rows, _meeting),
    ListPage("/meetings/{id}/attendees", "front_door", _meeting_rows, _meeting),
    ListPage("/summits", "front_door", _summits),
    ListPage("/summits/{id}", "front_door", _summit_rows, _summit),
    ListPage("/summits/{id}/participants", "front_door", _summit_people, _summit),
    ListPage("/maps/{id}", "front_door", _markers, _map),
    ListPage("/young-people/avonford/map/{id.secret}", None, _tablet_markers, _tablet),
    # Self-review and school assessments
    ListPage("/self-review", "head1", _earlier_reviews),
    ListPage("/self-review/{id}", "head1", _development_actions, _review),
    ListPage("/self-review/{id}/plan", "head1", _development_actions, _review),
    ListPage("/school-assessments", "front_door", _assessments),
    ListPage("/school-assessments/{id}", "assessor", _notes_and_members, _assessment),
    ListPage("/school-assessments/{id}/methods", "assessor", _methods, _assessment),
    ListPage("/school-assessments/{id}/plan", "assessor", _assessment_actions, _assessment),
    ListPage("/school-assessments/{id}/reports", "assessor", _assessment_reports, _assessment),
    ListPage("/school-assessments/{id}/triangle", "assessor", _findings, _assessment),
    # The administrator's pages
    ListPage("/admin/users", "admin", _users),
    ListPage("/admin/users/{id}", "admin", _roles, _staff_member),
    ListPage("/admin/organisations", "admin", _organisations),
    ListPage("/admin/settings", "admin", _duties),
    ListPage("/admin/settings/threshold-indicators", "admin", _threshold_versions),
    ListPage("/admin/settings/levels-of-need", "admin", _need_guidance_versions),
    # The DSL network
    ListPage("/network", "front_door", _categories),
    ListPage("/network/categories/{id}", "dsl1", _threads, _category),
    ListPage("/network/categories/manage", "front_door", _categories, _network),
    ListPage("/network/search?q=chats", "dsl1", _chats, _category),
    ListPage("/network/resources", "dsl1", _resources),
    ListPage("/network/resources/{id}", "dsl1", _resource_versions, _resource),
    ListPage("/network/subscriptions", "dsl1", _subscriptions),
    ListPage("/network/reports", "front_door", _reports, _network),
    ListPage("/network/guests", "front_door", _guests, _network),
    ListPage("/network/posts/{id}/history", "dsl1", _revisions, _post),
]


@pytest.mark.parametrize("page", LISTS, ids=[page.url for page in LISTS])
def test_a_list_costs_the_same_with_a_few_rows_or_many(app, world, page):
    side = world.a
    made = page.setup(app, side) if page.setup else None
    url = page.url.format(id=made)
    page.add(app, side, 2, made)
    client = signed_in_client(app, side.people[page.who]) if page.who else app.test_client()
    client.get(url)  # the first request after signing in may note when the session was last seen
    few, page_few = page_queries(app, client, url)
    page.add(app, side, 10, made)
    many, page_many = page_queries(app, client, url)
    assert len(page_many.get_data()) > len(page_few.get_data())  # the new rows are on the page
    assert few == many, f"{url}: {few} statements with a few rows, {many} with ten more"
