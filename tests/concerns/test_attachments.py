"""Files on the concern form: a real image or PDF is kept with the concern; anything else is refused next
to the field, and the concern is not saved until it is put right (nothing typed is lost)."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

from portal.casework.models import Attachment
from tests.admin.pages import field_error, page_text
from tests.concerns.conftest import concern_form


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def test_a_png_and_a_pdf_are_kept_with_the_concern(app, world, pupil, signed_in, concerns, rows):
    """Are a body-map photo and a PDF saved with the concern, typed from their bytes, and listed for the DSL?"""
    staff = signed_in(world.a.staff1)
    data = concern_form(attachments=[(BytesIO(_png()), "body map.png"), (BytesIO(PDF), "note.pdf")])
    response = staff.post(f"/concerns/new?pupil_id={pupil}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    [concern] = concerns(world.a.authority_id)
    kept = sorted(rows(Attachment, world.a.authority_id), key=lambda a: a.filename)
    assert [(a.filename, a.content_type, a.concern_id, a.uploaded_by_id) for a in kept] == [
        ("body map.png", "image/png", concern.id, world.a.staff1.id),
        ("note.pdf", "application/pdf", concern.id, world.a.staff1.id),
    ]
    page = page_text(signed_in(world.a.dsl1).get(f"/concerns/{concern.id}"))
    assert "body map.png" in page and "note.pdf" in page


def test_a_disguised_file_is_refused_and_nothing_is_lost(world, pupil, signed_in, concerns, rows):
    """Is a program or a text file renamed .pdf refused next to the attachments field, with no concern saved,
    and everything else typed still in the form?"""
    staff = signed_in(world.a.staff1)
    for content, name in ((EXE, "report.pdf"), (b"just some text, not a PDF", "letter.pdf")):
        data = concern_form(
            seen_or_heard="Said he is scared to go home",
            child_words="Dad gets angry",
            location="Library",
            attachments=[(BytesIO(content), name)],
        )
        response = staff.post(f"/concerns/new?pupil_id={pupil}", data=data, content_type="multipart/form-data")
        assert response.status_code == 200, name
        message = field_error(response, "attachments")
        assert message is not None and message.startswith(f"{name}:") and "must be a PDF, JPEG, PNG, Word, Excel or OpenDocument file" in message
        html = response.get_data(as_text=True)
        assert "Said he is scared to go home" in html and "Dad gets angry" in html and 'value="Library"' in html
        assert "There is a problem" in page_text(response)
    assert concerns(world.a.authority_id) == []
    assert rows(Attachment, world.a.authority_id) == []
