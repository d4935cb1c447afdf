"""Chronology PDFs: asked for on the page, built by a job, downloaded by the person who asked (audited),
built once however often the job runs, retried after a failure without leaving a second file."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import select

from portal.clock import UK, utcnow
from tests.admin.pages import page_text
from tests.factories import make_concern, make_pupil
from tests.support import audit_events, sign_in
from tests.world import create_user


def _add_entries(app, side, pupil_id, object_id, items):
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id, side.dsl1.id):
        for kind, title, moment in items:
            chronology.add(
                pupil_id=pupil_id,
                organisation_id=side.school1,
                kind=EntryKind(kind),
                title=title,
                object_type="concern",
                object_id=object_id,
                occurred_at=moment,
            )
        db.session.commit()


@pytest.fixture
def pupil(app, world):
    """A school1 pupil with a triage line (two days ago), a referral line (yesterday) and a concern line (now)."""
    pupil_id = make_pupil(app, world.a, legal_forename="Amira", legal_surname="O'Neill", upn="A123456789012")
    concern_id = make_concern(app, world.a, pupil_id, occurred_at=utcnow() - timedelta(days=3))
    now = utcnow()
    _add_entries(
        app,
        world.a,
        pupil_id,
        concern_id,
        [
            ("triage", "Triaged: speak to parents and monitor", now - timedelta(days=2)),
            ("referral", "Referral sent to the front door", now - timedelta(days=1)),
        ],
    )
    return pupil_id


def _exports(app, side):
    from portal.casework.models import ChronologyExport
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(ChronologyExport).order_by(ChronologyExport.created_at)).scalars().all()
        db.session.expunge_all()
        return rows


def _outbox(app, side):
    from jobs.models import OutboxJob
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(OutboxJob).where(OutboxJob.name == "exports.chronology_pdf")).scalars().all()
        db.session.expunge_all()
        return rows


def _run_job_again(app, side, outbox_id):
    from jobs.runner import run_outbox_job

    with app.app_context():
        return run_outbox_job(str(side.authority_id), str(outbox_id))


def _pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace collapsed (table cells wrap their lines)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _request_export(client, pupil_id, kinds=()):
    response = client.post(f"/pupils/{pupil_id}/chronology/export", data={"kind": list(kinds)})
    assert response.status_code == 302
    assert re.fullmatch(r"/exports/[0-9a-f-]{36}", response.headers["Location"])
    return response.headers["Location"]


def test_a_dsl_asks_for_a_pdf_and_downloads_it(app, world, pupil, signed_in):
    """Does the export build a real PDF (in process, after the request) holding the pupil, every line and the
    OFFICIAL-SENSITIVE marking, offered as a download only to the person who asked, with each step audited?"""
    client = signed_in(world.a.dsl1)
    detail_url = _request_export(client, pupil)

    detail = client.get(detail_url)
    text = page_text(detail)
    assert "Your PDF is ready" in text
    assert re.search(r"Download the chronology \(PDF, \d+(KB| bytes)\)", text)
    assert 'http-equiv="refresh"' not in detail.get_data(as_text=True)

    download = client.get(f"{detail_url}/download")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    today = utcnow().astimezone(UK).date().isoformat()
    # A reference, never the child's name, in the file's name.
    assert download.headers["Content-Disposition"] == f"attachment; filename=chronology-p-{pupil.hex[:8]}-{today}.pdf"
    assert "neill" not in download.headers["Content-Disposition"].lower()
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    pdf = _pdf_text(download.data)
    for expected in (
        "Amira O'Neill",
        "OFFICIAL-SENSITIVE",
        "Avonford Primary School",
        "A123456789012",
        "Year 6",
        "Concern logged",
        "Triaged: speak to parents and monitor",
        "Referral sent to the front door",
        "Generated",
        "Dsl1",
        "All entries",
        "Page 1 of 1",
    ):
        assert expected in pdf, expected
    # Oldest first, as a chronology is read in a meeting.
    assert pdf.index("Triaged: speak") < pdf.index("Referral sent") < pdf.index("Concern logged")

    [export] = _exports(app, world.a)
    assert export.status.value == "ready" and export.downloaded_at is not None and export.requested_by_id == world.a.dsl1.id
    assert export.size_bytes == len(download.data)
    actions = [(e.action, e.actor_id, e.object_id) for e in audit_events(app, world.a.authority_id) if e.action.startswith("export.")]
    assert actions == [
        ("export.requested", world.a.dsl1.id, str(export.id)),
        ("export.built", None, str(export.id)),
        ("export.downloaded", world.a.dsl1.id, str(export.id)),
    ]


def test_the_pdf_has_the_filter_shown_on_screen(app, world, pupil, signed_in):
    """Does a PDF asked for from a filtered chronology hold only those kinds, and say which?"""
    client = signed_in(world.a.dsl1)
    detail_url = _request_export(client, pupil, kinds=["referral"])
    pdf = _pdf_text(client.get(f"{detail_url}/download").data)
    assert "Referral sent to the front door" in pdf
    assert "Concern logged" not in pdf and "Triaged" not in pdf
    assert "Only: Referrals and outcomes" in pdf
    assert _exports(app, world.a)[0].kinds == ["referral"]


def test_the_requester_is_told_when_it_is_ready(app, world, pupil, signed_in):
    """Does the person who asked get a notification linking to their PDF's page?"""
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants.context import tenant_scope

    detail_url = _request_export(signed_in(world.a.dsl1), pupil)
    with app.app_context(), tenant_scope(world.a.authority_id):
        notes = db.session.execute(select(Notification.user_id, Notification.title, Notification.link)).all()
    assert [tuple(n) for n in notes] == [(world.a.dsl1.id, "Your chronology PDF is ready", detail_url)]


def test_another_dsl_of_the_same_school_cannot_see_or_download_it(app, world, pupil, signed_in):
    """Is a PDF only for the person who asked: another DSL of the same school gets 404, audited?"""
    detail_url = _request_export(signed_in(world.a.dsl1), pupil)
    deputy = create_user(app, world.a.authority_id, "deputy.dsl@avonford.example.org", "dsl", world.a.school1)
    client = signed_in(deputy)

    assert client.get(f"{detail_url}/download").status_code == 404
    assert client.get(detail_url).status_code == 404

    refusals = audit_events(app, world.a.authority_id, "access.not_found")
    assert [(e.actor_id, e.object_type) for e in refusals] == [(deputy.id, "chronology_export")] * 2
    assert audit_events(app, world.a.authority_id, "export.downloaded") == []
    # The deputy can ask for their own.
    assert _request_export(client, pupil) != detail_url


def test_the_job_run_twice_builds_one_file(app, world, pupil, signed_in, stored_files):
    """Does a job delivered twice, or called twice, leave one file, one READY export and one "built" event?"""
    from portal.casework.jobs import chronology_pdf
    from portal.extensions import db
    from tenants.context import tenant_scope

    _request_export(signed_in(world.a.dsl1), pupil)
    [row] = _outbox(app, world.a)
    assert _run_job_again(app, world.a, row.id) == "already done"
    [export] = _exports(app, world.a)
    for _ in range(2):
        with app.app_context(), tenant_scope(world.a.authority_id):
            chronology_pdf(export_id=str(export.id))
            db.session.commit()

    assert len(stored_files(world.a)) == 1
    assert [e.status.value for e in _exports(app, world.a)] == ["ready"]
    assert len(audit_events(app, world.a.authority_id, "export.built")) == 1


def test_a_failed_build_is_retried_then_succeeds_with_one_file(app, world, pupil, signed_in, stored_files, monkeypatch):
    """When the build fails once, does the person see it is still being prepared, and does the retry succeed
    without a second file?"""
    import portal.casework.jobs

    real_render = portal.casework.jobs.render_chronology_pdf
    calls = {"n": 0}

    def flaky_render(export):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("WeasyPrint ran out of memory")
        return real_render(export)

    monkeypatch.setattr(portal.casework.jobs, "render_chronology_pdf", flaky_render)
    client = signed_in(world.a.dsl1)
    detail_url = _request_export(client, pupil)

    [row] = _outbox(app, world.a)
    assert (row.status.value, row.attempts) == ("pending", 1) and "out of memory" in row.last_error
    waiting = client.get(detail_url)
    assert "Your PDF is being prepared" in page_text(waiting)
    assert '<meta http-equiv="refresh" content="3">' in waiting.get_data(as_text=True)
    assert "Check again" in page_text(waiting)
    assert client.get(f"{detail_url}/download").headers["Location"] == detail_url  # nothing to download yet

    assert _run_job_again(app, world.a, row.id) == "done"
    assert len(stored_files(world.a)) == 1
    [export] = _exports(app, world.a)
    assert export.status.value == "ready"
    assert "Your PDF is ready" in page_text(client.get(detail_url))
    assert "Referral sent to the front door" in _pdf_text(client.get(f"{detail_url}/download").data)


def test_a_build_that_fails_after_writing_the_file_leaves_one_file(app, world, pupil, signed_in, stored_files, monkeypatch):
    """If the job dies after the file was written (its transaction rolled back), does the retry write over the
    same file rather than leave an orphan?"""
    import portal.casework.jobs

    real_notify = portal.casework.jobs.notify
    calls = {"n": 0}

    def flaky_notify(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(portal.casework.jobs, "notify", flaky_notify)
    _request_export(signed_in(world.a.dsl1), pupil)
    assert len(stored_files(world.a)) == 1  # written, but the export was not marked ready
    assert _exports(app, world.a)[0].status.value == "pending"

    [row] = _outbox(app, world.a)
    assert _run_job_again(app, world.a, row.id) == "done"
    assert len(stored_files(world.a)) == 1
    assert _exports(app, world.a)[0].status.value == "ready"


def test_after_the_last_attempt_the_person_can_try_again(app, world, pupil, signed_in, monkeypatch):
    """When every attempt fails, does the page stop waiting, say so, and offer "Try again" with the same filter?"""
    import portal.casework.jobs

    def broken_render(export):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(portal.casework.jobs, "render_chronology_pdf", broken_render)
    client = signed_in(world.a.dsl1)
    detail_url = _request_export(client, pupil, kinds=["concern"])
    [row] = _outbox(app, world.a)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            _run_job_again(app, world.a, row.id)

    [row] = _outbox(app, world.a)
    assert (row.status.value, row.attempts) == ("failed", 3)
    [export] = _exports(app, world.a)
    assert export.status.value == "failed"
    page = client.get(detail_url)
    markup = page.get_data(as_text=True)
    assert "Your PDF could not be prepared" in page_text(page)
    assert 'http-equiv="refresh"' not in markup
    retry = re.search(r'<form method="post" action="([^"]+)".*?</form>', markup.split('id="main-content"')[1], re.S)
    assert retry.group(1) == f"/pupils/{pupil}/chronology/export"
    assert 'name="kind" value="concern"' in retry.group(0) and "Try again" in retry.group(0)
    assert client.get(f"{detail_url}/download").status_code == 302

    monkeypatch.undo()
    again = _request_export(client, pupil, kinds=["concern"])
    assert "Your PDF is ready" in page_text(client.get(again))


def test_only_casework_roles_may_ask_for_a_pdf(app, world, pupil):
    """Is asking for a PDF refused to staff (403) and another school's DSL (404), with nothing queued?"""
    for person, status in ((world.a.staff1, 403), (world.a.dsl2, 404), (world.a.governor1, 404)):
        client = app.test_client()
        sign_in(client, person)
        assert client.post(f"/pupils/{pupil}/chronology/export", data={}).status_code == status
    assert _exports(app, world.a) == [] and _outbox(app, world.a) == []


def test_nothing_is_built_for_someone_who_no_longer_holds_the_casework(app, world, pupil, signed_in, stored_files, monkeypatch):
    """The DSL asks for a PDF; the first build fails; before the retry they stop being the school's DSL. The
    retry builds nothing for them (audited), and the export says it could not be prepared."""
    import portal.casework.jobs
    from portal.accounts.models import Membership, Role
    from portal.extensions import db
    from tenants.context import tenant_scope

    real_render = portal.casework.jobs.render_chronology_pdf
    calls = {"n": 0}

    def flaky_render(export):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("WeasyPrint ran out of memory")
        return real_render(export)

    monkeypatch.setattr(portal.casework.jobs, "render_chronology_pdf", flaky_render)
    _request_export(signed_in(world.a.dsl1), pupil)
    [row] = _outbox(app, world.a)
    with app.app_context(), tenant_scope(world.a.authority_id):
        for membership in db.session.execute(select(Membership).where(Membership.user_id == world.a.dsl1.id, Membership.role == Role.DSL)).scalars():
            membership.role = Role.STAFF
        db.session.commit()
    assert _run_job_again(app, world.a, row.id) == "done"
    assert stored_files(world.a) == [] and calls["n"] == 1
    assert [e.status.value for e in _exports(app, world.a)] == ["failed"]
    [refused] = audit_events(app, world.a.authority_id, "export.refused")
    assert refused.details["reason"] == "requester no longer holds the casework"


def test_a_pdf_is_removed_a_week_after_it_was_made_and_its_page_says_so(app, world, pupil, signed_in, stored_files):
    """A chronology PDF is a copy of the record for one purpose: its file goes after EXPORT_KEPT_DAYS (7),
    downloaded or not, audited; the requester's page says so and offers a new one; the download is gone."""
    from portal.casework.jobs import remove_old_exports
    from portal.clock import travel
    from portal.extensions import db
    from tenants.context import tenant_scope

    client = signed_in(world.a.dsl1)
    detail_url = _request_export(client, pupil)
    assert len(stored_files(world.a)) == 1

    def run(moment):
        with travel(moment), app.app_context(), tenant_scope(world.a.authority_id):
            remove_old_exports()
            db.session.commit()

    made = _exports(app, world.a)[0].completed_at
    run(made + timedelta(days=6, hours=23))
    assert len(stored_files(world.a)) == 1 and _exports(app, world.a)[0].removed_at is None
    run(made + timedelta(days=7, minutes=1))
    assert stored_files(world.a) == [] and _exports(app, world.a)[0].removed_at is not None
    run(made + timedelta(days=8))  # once
    assert len(audit_events(app, world.a.authority_id, "export.removed")) == 1

    with travel(made + timedelta(days=7, minutes=2)):
        client = signed_in(world.a.dsl1)
        page = client.get(detail_url)
        assert "Your PDF has been removed" in page_text(page) and "7 days after it was made" in page_text(page)
        assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
        download = client.get(f"{detail_url}/download")
        assert download.status_code == 302 and download.headers["Location"] == detail_url
        again = client.post(f"/pupils/{pupil}/chronology/export", data={"kind": []})
        assert again.status_code == 302 and "Your PDF is ready" in page_text(client.get(again.headers["Location"]))
