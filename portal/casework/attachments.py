"""Attachments for concerns, advice requests and referrals.

* Size and type: checked by ``portal.uploads`` (at most ``ATTACHMENT_MAX_BYTES``; the type read from
  the file's bytes, never its name; a renamed executable is refused).
* Storage: outside the web root under a random name (``portal.casework.files``); the name the person
  gave is kept for display and the download's ``Content-Disposition`` only.
* Serving: only through a view that fetched the attachment through its policy, as a download, with
  ``nosniff``; every download is audited.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.audit.service import record
from portal.casework import files
from portal.casework.actions import Action
from portal.casework.models import Attachment, ChronologyExport
from portal.extensions import db
from portal.uploads import read_upload, safe_filename


def save(upload: FileStorage, *, organisation_id, concern_id=None, advice_request_id=None, referral_id=None, uploaded_by_id) -> Attachment:
    """Check ``upload`` and keep it, attached to one parent, in the current transaction (audited)."""
    data, mime = read_upload(upload)
    key = files.new_key()
    files.write(key, data)
    attachment = Attachment(
        organisation_id=organisation_id,
        concern_id=concern_id,
        advice_request_id=advice_request_id,
        referral_id=referral_id,
        uploaded_by_id=uploaded_by_id,
        filename=safe_filename(upload.filename),
        content_type=mime,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
    )
    db.session.add(attachment)
    db.session.flush()
    parent_type, parent_id = parent_of(attachment)
    record(
        Action.ATTACHMENT_UPLOADED,
        object_type="attachment",
        object_id=attachment.id,
        organisation_id=organisation_id,
        details={"parent": parent_type, "parent_id": str(parent_id), "type": mime, "bytes": len(data)},
    )
    return attachment


def parent_of(attachment: Attachment) -> tuple[str, object]:
    if attachment.concern_id:
        return "concern", attachment.concern_id
    if attachment.advice_request_id:
        return "advice_request", attachment.advice_request_id
    return "referral", attachment.referral_id


def stored_files():
    """The storage keys of the attachments and chronology PDFs kept in the authority in context (the
    file store's sweep removes any file no feature names)."""
    yield from db.session.execute(select(Attachment.storage_key)).scalars()
    yield from db.session.execute(select(ChronologyExport.storage_key).where(ChronologyExport.storage_key.is_not(None))).scalars()
