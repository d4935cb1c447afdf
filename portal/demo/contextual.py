"""Demo contextual safeguarding: the threshold indicators, a context panel member, a context referral
awaiting the panel, a panel meeting with the police invited, and a decided referral whose school
partnership meeting is under way. Every name is made up; no young person is named."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select


def seed_contextual(organisations: dict, users: dict) -> bool:
    """Add the demo contextual work for one authority (in its tenant scope) once. Returns whether it did."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.clock import uk_today, utcnow
    from portal.contexts.models import ContextReferral, ContextReferralIndicator, ContextSubject, PanelDecision, PanelMeeting
    from portal.contexts.service import Decision, current_thresholds, decide, suggest_level
    from portal.extensions import db
    from portal.meetings.models import MeetingFormat
    from portal.notifications.service import page_path
    from portal.partnership import service as partnership
    from portal.partnership.models import ParticipantRole
    from portal.vocabulary import HarmCategory

    if db.session.execute(select(func.count()).select_from(ContextReferral)).scalar_one():
        return False
    assessor, front_door = users["assessor"], users["frontdoor"]
    if not db.session.execute(select(AuthorityDuty.id).where(AuthorityDuty.user_id == assessor.id, AuthorityDuty.duty == Duty.CONTEXT_PANEL_MEMBER)).first():
        db.session.add(AuthorityDuty(user_id=assessor.id, duty=Duty.CONTEXT_PANEL_MEMBER))
    thresholds = current_thresholds()
    by_text = {i.text: i for i in thresholds.indicators}
    now = utcnow()

    def referral(school, subject, description, concern, categories, count, years, indicators, raised_by, organisation, days_ago):
        chosen = [by_text[t] for t in indicators]
        level = suggest_level(chosen)
        row = ContextReferral(
            organisation_id=school.id,
            subject=subject,
            subject_description=description,
            concern=concern,
            categories=[c.value for c in categories],
            young_people_count=count,
            year_groups=years,
            threshold_set_id=thresholds.id,
            suggested_level=level,
            agrees_with_suggestion=True,
            referrer_level=level,
            level_reason="Several incidents this half term, and students say they avoid the place.",
            raised_by_id=raised_by.id,
            raised_by_organisation_id=organisation.id,
            created_at=now - timedelta(days=days_ago),
        )
        db.session.add(row)
        db.session.flush()
        for indicator in chosen:
            db.session.add(ContextReferralIndicator(context_referral_id=row.id, indicator_id=indicator.id))
        return row

    riverside, oakfield, police = organisations["riverside"], organisations["oakfield"], organisations["police"]
    waiting = referral(
        riverside,
        ContextSubject.LOCATION,
        "The underpass between the bus station and the retail park, used by students on the way home.",
        "Students report older young people asking them to carry packages, and two Year 10 students were threatened there.",
        [HarmCategory.CRIMINAL_EXPLOITATION, HarmCategory.CHILD_ON_CHILD],
        14,
        ["Year 9", "Year 10"],
        ["The school or other context is one in which harmful incidents take place", "Adult guardians normalise and accept harmful behaviours"],
        users["dsl.riverside"],
        riverside,
        4,
    )
    panel = PanelMeeting(meets_at=now + timedelta(days=6), venue="Northgate House, room 2, and online", chair_id=front_door.id, created_by_id=front_door.id)
    db.session.add(panel)
    db.session.flush()
    waiting.panel_meeting_id = panel.id
    partnership.invite(panel, police.id, actor_id=front_door.id, title="Context panel", link=page_path("contexts.panel_detail", panel_meeting_id=panel.id))

    decided = referral(
        oakfield,
        ContextSubject.PEER_GROUP,
        "A friendship group of Year 6 girls.",
        "Messages with sexual content shared in a group chat; some of the girls say they feel pressured to join in.",
        [HarmCategory.ONLINE_HARM, HarmCategory.CHILD_ON_CHILD],
        6,
        ["Year 6"],
        ["Young people are aware of safeguarding responses"],
        users["dsl.oakfield"],
        oakfield,
        20,
    )
    meeting = decide(
        decided,
        Decision(PanelDecision.PARTNERSHIP_MEETING, "Early help: the school and partners can address this together; no child is at risk of significant harm."),
        actor_id=front_door.id,
    )
    meeting.meets_at = now + timedelta(days=9)
    meeting.format = MeetingFormat.AT_SCHOOL
    meeting.location = "Oakfield Primary School, the library"
    meeting.agenda = "1. Introductions and the information-sharing agreement\n2. The school's return: trends and themes\n3. Strengths\n4. Actions and owners\n5. Date of the follow-up meeting"
    partnership.add_participant(meeting, users["dsl.oakfield"].id, ParticipantRole.ATTENDEE, actor_id=front_door.id)
    link = page_path("meetings.detail", meeting_id=meeting.id)
    invitation = partnership.invite(meeting, police.id, actor_id=front_door.id, title=meeting.title, link=link)
    partnership.respond(invitation, accept=True, actor_id=users["police"].id, note=None, inviter_title=meeting.title, link=link)
    partnership.add_action(
        meeting,
        description="Share the school's online safety lessons for Year 6 with the partnership",
        due_on=uk_today() - timedelta(days=3),
        owner_organisation_id=oakfield.id,
        actor_id=front_door.id,
        link=link,
    )
    partnership.add_action(
        meeting,
        description="Neighbourhood officer to visit Year 6 about image sharing and the law",
        due_on=uk_today() + timedelta(days=14),
        owner_user_id=users["police"].id,
        actor_id=front_door.id,
        link=link,
    )
    db.session.flush()
    _summit(organisations, users, now)
    return True


#: Markers the demo groups placed: (x, y, safe?, place, note, suggestion, group).
MARKERS = (
    (
        0.82,
        0.55,
        False,
        "The underpass",
        "Older boys wait there after school",
        "A light and a camera, and staff on the bus station side at 3.30",
        "Group 1, Year 9",
    ),
    (0.86, 0.53, False, "The underpass", "You get asked to carry stuff", "Police to walk through at home time", "Group 2, Year 10"),
    (0.79, 0.56, False, "The underpass", "Dark even in the day", "Better lighting", "Group 3, Year 9"),
    (0.95, 0.60, False, "Canal towpath", "Nobody can see you there", "Youth workers on Friday evenings", "Group 1, Year 9"),
    (0.20, 0.70, False, "Retail park car park", "Groups from other schools fight there", None, "Group 2, Year 10"),
    (0.56, 0.95, True, "Youth centre", "The staff know us", "Open it on Saturdays too", "Group 3, Year 9"),
    (0.25, 0.25, True, "Victoria Park, near the café", "Lots of families around", None, "Group 1, Year 9"),
    (0.56, 0.30, True, "The school library", "A teacher is always there", None, "Group 2, Year 10"),
)


def _summit(organisations: dict, users: dict, now) -> None:
    """A safety summit held last week at Riverside Academy, with its neighbourhood map."""
    from portal.casework import files
    from portal.demo.mapimage import HEIGHT, WIDTH, neighbourhood_map_png
    from portal.extensions import db
    from portal.notifications.service import page_path
    from portal.partnership import service as partnership
    from portal.partnership.models import ParticipantRole
    from portal.summits.map_service import Grid, Position, new_marker
    from portal.summits.models import ActivityKind, MapKind, MarkerMethod, SafetyMap, SafetySummit, SummitActivity, SummitFinding, SummitStatus, YouSaidWeDid

    riverside, police, st_annes = organisations["riverside"], organisations["police"], organisations["st-annes"]
    assessor, dsl = users["assessor"], users["dsl.riverside"]
    start = (now - timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    summit = SafetySummit(
        host_organisation_id=riverside.id,
        title="Riverside student safety summit",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        venue="Riverside Academy, the sports hall",
        young_people={"Year 9": 48, "Year 10": 36},
        consent_arranged=True,
        consent_notes="Opt-out letters to parents and carers two weeks before; no young person is named in any record.",
        inclusion_and_safety="Small groups with a familiar member of staff; easy-read materials; a quiet room with the school counsellor.",
        checklist=["invite", "inclusive", "practitioners", "involvement"],
        status=SummitStatus.HELD,
        created_by_id=assessor.id,
    )
    db.session.add(summit)
    db.session.flush()
    partnership.add_participant(summit, assessor.id, ParticipantRole.ORGANISER, actor_id=assessor.id)
    partnership.add_participant(summit, dsl.id, ParticipantRole.FACILITATOR, actor_id=assessor.id)
    link = page_path("summits.detail", summit_id=summit.id)
    for organisation, answerer in ((police, users["police"]), (st_annes, None)):
        invitation = partnership.invite(summit, organisation.id, actor_id=assessor.id, title=summit.title, link=link)
        if answerer is not None:
            partnership.respond(invitation, accept=True, actor_id=answerer.id, note=None, inviter_title=summit.title, link=link)
    activity = SummitActivity(
        summit_id=summit.id,
        kind=ActivityKind.NEIGHBOURHOOD,
        title="Mapping the way home",
        facilitator_id=dsl.id,
        notes="Three groups; most unsafe markers cluster around the underpass.",
    )
    db.session.add(activity)
    db.session.flush()
    image = neighbourhood_map_png()
    key = files.new_key()
    files.write(key, image)
    safety_map = SafetyMap(
        summit_id=summit.id,
        activity_id=activity.id,
        title="The streets around Riverside Academy",
        kind=MapKind.NEIGHBOURHOOD,
        description="A street map: Victoria Park and the retail park to the west, the school in the middle, the bus station, the underpass and the canal towpath to the east, the youth centre to the south.",
        content_type="image/png",
        size_bytes=len(image),
        width=WIDTH,
        height=HEIGHT,
        storage_key=key,
        uploaded_by_id=assessor.id,
    )
    db.session.add(safety_map)
    db.session.flush()
    grid = Grid.of(safety_map)
    for x, y, safe, place, note, suggestion, group in MARKERS:
        column, row = grid.square_at(x, y)
        db.session.add(
            new_marker(
                safety_map,
                Position(x, y, column, row, MarkerMethod.POINTER),
                safety="safe" if safe else "unsafe",
                place=place,
                note=note,
                suggestion=suggestion,
                group_label=group,
                placed_by_id=dsl.id,
            )
        )
    db.session.add(
        SummitFinding(
            summit_id=summit.id,
            activity_id=activity.id,
            created_by_id=assessor.id,
            text="Students in Years 9 and 10 feel unsafe in the underpass on the way to the bus station after school.",
        )
    )
    partnership.add_action(
        summit,
        description="Ask the council for lighting and a camera in the underpass",
        due_on=(now + timedelta(days=21)).date(),
        owner_user_id=assessor.id,
        actor_id=assessor.id,
        link=link,
    )
    partnership.add_action(
        summit,
        description="Police patrol through the underpass at home time for four weeks",
        due_on=(now - timedelta(days=1)).date(),
        owner_organisation_id=police.id,
        actor_id=assessor.id,
        link=link,
    )
    db.session.add(
        YouSaidWeDid(
            summit_id=summit.id,
            created_by_id=assessor.id,
            told_on=now.date(),
            told_how="Year assemblies and the student council",
            you_said="The underpass feels unsafe after school.",
            we_did="Police now walk through it between 3.15 and 4pm.",
        )
    )
    db.session.flush()
