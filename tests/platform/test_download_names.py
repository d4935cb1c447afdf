"""A kept file is downloaded under the extension of the type read from its bytes, never the one the
uploader typed: a PDF uploaded as poly.html downloads as poly.pdf (opened locally, it is never a web page)."""

from __future__ import annotations

import pytest

from portal.uploads import download_name
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import detached_rows, signed_in_client
from tests.transfers.test_transfers import TINY_PDF, _attach

PNG = "image/png"
PDF = "application/pdf"


@pytest.mark.parametrize(
    ("typed", "mime", "downloaded"),
    [
        ("poly.html", PDF, "poly.pdf"),
        ("page.svg", PNG, "page.png"),
        ("body map.pdf", PDF, "body map.pdf"),
        ("Scan.PDF", PDF, "Scan.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("notes", PDF, "notes.pdf"),
        ("report.v2.final", PDF, "report.v2.pdf"),
        ("a.b.c.html", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.b.c.docx"),
        (".html", PDF, "html.pdf"),
    ],
)
def test_the_download_name_carries_the_type_read_from_the_bytes(typed, mime, downloaded):
    assert download_name(typed, mime) == downloaded


def test_a_pdf_uploaded_as_html_downloads_as_pdf(app, world):
    from portal.casework.models import Attachment
    from portal.concerns.models import Concern

    pupil_id = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form()).status_code == 302
    [concern] = detached_rows(app, Concern, world.a.authority_id)
    _attach(app, world.a, concern.id, filename="poly.html")
    [attachment] = detached_rows(app, Attachment, world.a.authority_id)
    response = signed_in_client(app, world.a.dsl1).get(f"/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == TINY_PDF
    assert 'filename="poly.pdf"' in response.headers["Content-Disposition"] or "filename=poly.pdf" in response.headers["Content-Disposition"]
    assert response.mimetype == PDF
