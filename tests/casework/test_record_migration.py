"""Migration 0008 on a database the old code wrote: each chronology line gets its substance from the record it
points at (the concern, its triage, the advice request, the referral's decision), authority by authority,
and the old one-line ``detail`` column is dropped.

The test builds its own SQLite database (whatever PORTAL_TEST_DATABASE says): it migrates to 0007, writes
rows as the code of that time did, then migrates to the head."""

from __future__ import annotations

import json
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

CREATED = "2026-11-02 09:00:00.000000"


def _id() -> str:
    """An id as SQLite keeps a ``Uuid`` column: 32 hex digits."""
    return uuid.uuid4().hex


@pytest.fixture
def old_database(tmp_path):
    """An app on a new SQLite file migrated to 0007 (before the chronology carried its substance)."""
    from portal import create_app
    from portal.extensions import db

    app = create_app(
        {
            "PORTAL_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite3",
            "DATABASE_OWNER_URL": None,
            "INSTANCE_PATH": str(tmp_path),
            "REDIS_URL": None,
        }
    )
    with app.app_context():
        upgrade(revision="0007")
        yield db.engine
        db.session.remove()
        db.engine.dispose()


def _insert(conn, table: str, **values) -> str:
    columns = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})"), values)
    return values.get("id")


def _school_world(conn, slug: str) -> dict[str, str]:
    """An authority with a school, a DSL and a pupil."""
    authority = _insert(conn, "authorities", id=_id(), name=f"{slug.title()} Partnership", slug=slug, require_two_factor=0, version=1, created_at=CREATED)
    school = _insert(
        conn, "organisations", id=_id(), authority_id=authority, name=f"{slug.title()} Primary School", kind="school", version=1, created_at=CREATED
    )
    dsl = _insert(conn, "users", id=_id(), authority_id=authority, email=f"dsl@{slug}.example.org", full_name="Dee Ess", failed_sign_ins=0, created_at=CREATED)
    pupil = _insert(
        conn,
        "pupils",
        id=_id(),
        authority_id=authority,
        organisation_id=school,
        legal_forename="Jordan",
        legal_surname="Example",
        date_of_birth="2015-03-14",
        sen=0,
        looked_after=0,
        child_protection_plan=0,
        eal=0,
        updated_at=CREATED,
        version=1,
        created_at=CREATED,
    )
    return {"authority": authority, "school": school, "dsl": dsl, "pupil": pupil}


def _line(conn, world, kind: str, title: str, object_type: str, object_id: str, detail: str | None = None, at: str = CREATED) -> str:
    """A chronology line as the code before 0008 wrote it: a title and, sometimes, a one-line detail (a line
    written after 0008 has no ``detail`` to give)."""
    extra = {"detail": detail} if detail is not None else {}
    return _insert(
        conn,
        "chronology_entries",
        **extra,
        id=_id(),
        authority_id=world["authority"],
        pupil_id=world["pupil"],
        organisation_id=world["school"],
        occurred_at=at,
        kind=kind,
        title=title,
        actor_id=world["dsl"],
        object_type=object_type,
        object_id=object_id,
        created_at=at,
    )


def test_the_migration_fills_each_lines_substance_from_its_record_and_drops_detail(old_database):
    """After 0008, does a concern line show what was seen, the child's words and where; a triage line the outcome
    and the action taken; an advice line the question and how soon; a referral decision the decision and its
    reason — each from its own authority's records only — and is the old ``detail`` column gone?"""
    engine = old_database
    with engine.begin() as conn:
        a = _school_world(conn, "avonford")
        b = _school_world(conn, "brackley")
        concern = _insert(
            conn,
            "concerns",
            id=_id(),
            authority_id=a["authority"],
            organisation_id=a["school"],
            pupil_id=a["pupil"],
            raised_by_id=a["dsl"],
            category="neglect",
            seen_or_heard="Came in without a coat in the snow.",
            child_words="Mum said I have to share with my brother.",
            occurred_at=CREATED,
            location="The playground gate",
            urgent=0,
            status="triaged",
            triaged_by_id=a["dsl"],
            triaged_at=CREATED,
            action_taken="Spoke to mum at pick-up; coat from the lost property.",
            outcome="monitor",
            version=2,
            created_at=CREATED,
        )
        advice = _insert(
            conn,
            "advice_requests",
            id=_id(),
            authority_id=a["authority"],
            organisation_id=a["school"],
            pupil_id=a["pupil"],
            requested_by_id=a["dsl"],
            question="Does a third missed meal this week meet the threshold?",
            categories=json.dumps(["neglect"]),
            urgency="today",
            status="waiting",
            version=1,
            created_at=CREATED,
        )
        referral = _insert(
            conn,
            "referrals",
            id=_id(),
            authority_id=a["authority"],
            organisation_id=a["school"],
            pupil_id=a["pupil"],
            created_by_id=a["dsl"],
            status="decided",
            categories=json.dumps(["neglect"]),
            what_happened="Hungry every day this week.",
            immediate_danger=0,
            police_called=0,
            parents_aware="yes",
            submitted_at=CREATED,
            due_at="2026-11-03 09:00:00.000000",
            decision="no_further_action",
            decision_reason="Reason text",
            decided_at="2026-11-02 15:00:00.000000",
            decided_by_id=a["dsl"],
            version=3,
            created_at=CREATED,
        )
        _insert(
            conn,
            "referral_transitions",
            id=_id(),
            authority_id=a["authority"],
            referral_id=referral,
            actor_id=a["dsl"],
            from_status="acknowledged",
            to_status="decided",
            comment="Reason text",
            created_at="2026-11-02 15:00:00.000000",
        )
        lines = {
            "concern": _line(conn, a, "concern", "Concern logged: Neglect", "concern", concern),
            "triage": _line(conn, a, "triage", "DSL triage: Keep monitoring in school", "concern", concern, detail="Spoke to mum at pick-up."),
            "advice": _line(conn, a, "advice", "Advice asked of the front door", "advice_request", advice),
            "decision": _line(
                conn, a, "referral", "Referral decision: No further action", "referral", referral, detail="Reason text", at="2026-11-02 15:00:00.000000"
            ),
            # Another authority's line that names A's concern (it could only by mistake): it must not be
            # given A's words.
            "elsewhere": _line(conn, b, "concern", "Concern logged: Neglect", "concern", concern),
        }

    upgrade()

    with engine.connect() as conn:
        substance = {
            name: json.loads(conn.execute(text("SELECT substance FROM chronology_entries WHERE id = :i"), {"i": line_id}).scalar_one())
            for name, line_id in lines.items()
        }
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        columns = {column["name"] for column in inspect(conn).get_columns("chronology_entries")}
        significant = conn.execute(text("SELECT DISTINCT significant FROM chronology_entries")).scalars().all()

    assert revision >= "0008"
    assert substance["concern"] == [
        {"label": "What was seen or heard", "text": "Came in without a coat in the snow."},
        {"label": "What the child said, in their own words", "text": "Mum said I have to share with my brother."},
        {"label": "Where it happened", "text": "The playground gate"},
    ]
    assert substance["triage"] == [
        {"label": "Outcome", "text": "Keep monitoring in school"},
        {"label": "Action taken, and why", "text": "Spoke to mum at pick-up; coat from the lost property."},
    ]
    assert substance["advice"] == [
        {"label": "The question", "text": "Does a third missed meal this week meet the threshold?"},
        {"label": "How soon", "text": "Urgent: today, please"},
    ]
    assert substance["decision"] == [{"label": "Decision", "text": "No further action"}, {"label": "Reason", "text": "Reason text"}]
    assert substance["elsewhere"] == [], "a line was given the words of another authority's record"
    assert "detail" not in columns
    assert {"substance", "significant", "significant_by_id", "significant_at"} <= columns
    assert [bool(v) for v in significant] == [False]


def test_the_migrated_lines_are_read_by_the_portal_with_their_substance(old_database):
    """After the migration, does the portal's own model read a backfilled line's substance, and accept the new
    kinds of line (context referrals and manual entries) that the old check refused?"""
    engine = old_database
    with engine.begin() as conn:
        a = _school_world(conn, "avonford")
        advice = _insert(
            conn,
            "advice_requests",
            id=_id(),
            authority_id=a["authority"],
            organisation_id=a["school"],
            pupil_id=a["pupil"],
            requested_by_id=a["dsl"],
            question="Is this a child in need?",
            categories=json.dumps(["neglect"]),
            urgency="routine",
            status="answered",
            outcome="advice_given",
            answer="Yes: refer today.",
            answered_by_id=a["dsl"],
            answered_at=CREATED,
            version=2,
            created_at=CREATED,
        )
        answered = _line(conn, a, "advice", "Front-door advice: Advice given", "advice_request", advice, detail="Yes: refer today.")

    upgrade()

    from sqlalchemy import select

    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants.context import tenant_scope

    with tenant_scope(uuid.UUID(a["authority"])):
        line = db.session.execute(select(ChronologyEntry).where(ChronologyEntry.id == uuid.UUID(answered))).unique().scalar_one()
        assert line.substance == [{"label": "The front door's answer", "text": "Yes: refer today."}]
        assert line.significant is False and line.significant_by_id is None
        db.session.rollback()
    with engine.begin() as conn:
        for kind in ("context", "manual"):
            _line(conn, a, kind, f"A {kind} line", "manual_entry", _id())
        kinds = conn.execute(text("SELECT kind FROM chronology_entries ORDER BY kind")).scalars().all()
    assert kinds == ["advice", "context", "manual"]


def test_each_step_of_an_old_referral_gets_the_words_of_that_step(old_database):
    """For a referral with two requests for information, an answer and two messages, does each old line get the
    words written at its own step (not the latest, not another step's), what the school sent at submission,
    and nothing made up for a line that had no words?"""
    engine = old_database

    def at(hour: int) -> str:
        return f"2026-11-02 {hour:02d}:00:00.000000"

    with engine.begin() as conn:
        a = _school_world(conn, "avonford")
        referral = _insert(
            conn,
            "referrals",
            id=_id(),
            authority_id=a["authority"],
            organisation_id=a["school"],
            pupil_id=a["pupil"],
            created_by_id=a["dsl"],
            status="information_provided",
            categories=json.dumps(["neglect"]),
            what_happened="Hungry every day this week.",
            child_voice="There's never any food.",
            immediate_danger=0,
            police_called=0,
            parents_aware="no",
            parents_not_aware_reason="Telling dad may put her at risk.",
            submitted_at=at(9),
            due_at="2026-11-03 09:00:00.000000",
            version=5,
            created_at=CREATED,
        )

        def step(hour: int, to_status: str, comment: str | None):
            _insert(
                conn,
                "referral_transitions",
                id=_id(),
                authority_id=a["authority"],
                referral_id=referral,
                actor_id=a["dsl"],
                to_status=to_status,
                comment=comment,
                created_at=at(hour),
            )

        def message(hour: int, body: str):
            _insert(
                conn,
                "referral_messages",
                id=_id(),
                authority_id=a["authority"],
                referral_id=referral,
                author_id=a["dsl"],
                from_front_door=1,
                body=body,
                created_at=at(hour),
            )

        step(9, "submitted", None)
        step(10, "information_requested", "Who collects her?")
        step(11, "information_provided", "Her aunt, on Tuesdays.")
        step(12, "information_requested", "Does the aunt know about the hunger?")
        message(13, "We have spoken to the health visitor.")
        message(14, "The social worker will ring you today.")

        def line(hour: int, title: str, detail: str | None = None) -> str:
            return _line(conn, a, "referral", title, "referral", referral, detail=detail, at=at(hour))

        lines = {
            "started": line(8, "Referral started (draft)"),
            "submitted": line(9, "Submitted by the school"),
            "first question": line(10, "More information requested", detail="Who collects her?"),
            "answer": line(11, "Information provided by the school"),
            "second question": line(12, "More information requested", detail="Does the aunt know about the hunger?"),
            "first message": line(13, "Message from the front door about the referral"),
            "second message": line(14, "Message from the front door about the referral"),
        }

    upgrade()

    with engine.connect() as conn:
        substance = {
            name: [
                (part["label"], part["text"])
                for part in json.loads(conn.execute(text("SELECT substance FROM chronology_entries WHERE id = :i"), {"i": i}).scalar_one())
            ]
            for name, i in lines.items()
        }
    assert substance["started"] == []
    assert substance["submitted"] == [
        ("What happened", "Hungry every day this week."),
        ("The child's voice", "There's never any food."),
        ("Immediate danger", "No"),
        ("Parents or carers know about the referral", "No: Telling dad may put her at risk."),
    ]
    assert substance["first question"] == [("What the front door asked for", "Who collects her?")]
    assert substance["answer"] == [("What the school sent", "Her aunt, on Tuesdays.")]
    assert substance["second question"] == [("What the front door asked for", "Does the aunt know about the hunger?")]
    assert substance["first message"] == [("The message", "We have spoken to the health visitor.")]
    assert substance["second message"] == [("The message", "The social worker will ring you today.")]
