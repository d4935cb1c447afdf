"""Attachments: what is kept (type read from the bytes, size limit), where (outside the web root, under a
random name), and who may download it (the concern's school casework only; audited)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from tests.casework.conftest import TINY_PDF, TINY_PNG
from tests.factories import make_concern, make_pupil
from tests.support import audit_events, sign_in


def _upload(data: bytes, filename: str, content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


def _save(app, side, concern_id, upload):
    """``attachments.save`` as the concern page would call it; returns the attachment (detached)."""
    from portal.casework import attachments
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id, side.staff1.id):
        attachment = attachments.save(upload, organisation_id=side.school1, concern_id=concern_id, uploaded_by_id=side.staff1.id)
        db.session.commit()
        db.session.refresh(attachment)
        db.session.expunge(attachment)
        return attachment


def _attachment_count(app, side) -> int:
    from sqlalchemy import func, select

    from portal.casework.models import Attachment
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()


@pytest.fixture
def concern(app, world):
    return make_concern(app, world.a, make_pupil(app, world.a))


@pytest.mark.parametrize(
    ("data", "filename", "mime", "kind"),
    [(TINY_PDF, "body map.pdf", "application/pdf", "PDF"), (TINY_PNG, "photo of note.png", "image/png", "PNG image")],
)
def test_a_pdf_and_a_png_are_kept_outside_the_web_root_under_a_random_name(app, world, concern, stored_files, data, filename, mime, kind):
    """Is a real PDF or PNG kept byte for byte, its type read from the bytes, under a random 64-hex name in the
    authority's folder of the file store (not the static folder, not the name it came with)?"""
    attachment = _save(app, world.a, concern, _upload(data, filename, "application/octet-stream"))

    assert (attachment.filename, attachment.content_type, attachment.size_bytes) == (filename, mime, len(data))
    assert re.fullmatch(r"[0-9a-f]{64}", attachment.storage_key)
    [path] = stored_files(world.a)
    assert path.name == attachment.storage_key and filename not in str(path)
    assert path.read_bytes() == data
    store = Path(app.config["FILE_STORE_PATH"]).resolve()
    assert path.resolve().is_relative_to(store / str(world.a.authority_id))
    assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())
    [uploaded] = audit_events(app, world.a.authority_id, "attachment.uploaded")
    assert uploaded.object_id == str(attachment.id) and uploaded.details["type"] == mime
    with app.app_context():
        assert app.jinja_env.filters["attachment_kind"](attachment.content_type) == kind


def test_a_file_over_the_limit_is_refused_with_the_size(app, world, concern, stored_files, monkeypatch):
    """Is a file bigger than ATTACHMENT_MAX_BYTES refused, saying the limit, with nothing kept?"""
    from portal.uploads import AttachmentRejected

    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    too_big = TINY_PDF + b"%" * (1024 * 1024)
    with pytest.raises(AttachmentRejected, match=r"^The selected file must be smaller than 1MB$"):
        _save(app, world.a, concern, _upload(too_big, "scan.pdf"))
    assert _attachment_count(app, world.a) == 0 and stored_files(world.a) == []


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200, "report.pdf"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "minutes.pdf"),
        (b"These are my notes about the child, typed in a text editor.\n", "notes.pdf"),
        (b"", "empty.pdf"),
    ],
)
def test_an_executable_or_text_renamed_pdf_is_refused(app, world, concern, stored_files, data, filename):
    """Is the type read from the bytes, so a program or a text file named .pdf is refused, with nothing kept?"""
    from portal.uploads import AttachmentRejected

    expected = "The selected file is empty" if not data else "The selected file must be a PDF, JPEG, PNG, Word, Excel or OpenDocument file"
    with pytest.raises(AttachmentRejected) as refused:
        _save(app, world.a, concern, _upload(data, filename))
    assert str(refused.value) == expected
    assert _attachment_count(app, world.a) == 0 and stored_files(world.a) == []


def test_the_schools_dsl_downloads_it_and_it_is_audited(app, world, concern):
    """Does the DSL of the concern's school get the file as a download (its own name, nosniff, not cached),
    with the download audited?"""
    attachment = _save(app, world.a, concern, _upload(TINY_PDF, "body map.pdf"))
    client = app.test_client()
    sign_in(client, world.a.dsl1)

    response = client.get(f"/attachments/{attachment.id}")

    assert response.status_code == 200
    assert response.data == TINY_PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="body map.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    [downloaded] = audit_events(app, world.a.authority_id, "attachment.downloaded")
    assert (downloaded.actor_id, downloaded.object_id, downloaded.details["parent_id"]) == (world.a.dsl1.id, str(attachment.id), str(concern))


@pytest.mark.parametrize("person_key", ["dsl2", "governor1", "admin", "partner"])
def test_no_one_else_in_the_authority_can_download_it(app, world, concern, person_key):
    """Do another school's DSL, the governor, the administrator and a partner get 404, audited, no file?"""
    attachment = _save(app, world.a, concern, _upload(TINY_PDF, "body map.pdf"))
    client = app.test_client()
    sign_in(client, world.a.people[person_key])

    response = client.get(f"/attachments/{attachment.id}")

    assert response.status_code == 404
    assert TINY_PDF not in response.data
    [refused] = audit_events(app, world.a.authority_id, "access.not_found")
    assert (refused.actor_id, refused.object_id) == (world.a.people[person_key].id, str(attachment.id))
    assert audit_events(app, world.a.authority_id, "attachment.downloaded") == []


def test_another_authority_cannot_download_it(app, world, concern):
    """Does the same role in another authority get 404, audited in their own authority, nothing in ours?"""
    attachment = _save(app, world.a, concern, _upload(TINY_PDF, "body map.pdf"))
    client = app.test_client()
    sign_in(client, world.b.dsl1)

    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert [e.object_id for e in audit_events(app, world.b.authority_id, "access.not_found")] == [str(attachment.id)]
    assert audit_events(app, world.a.authority_id, "attachment.downloaded") == []
