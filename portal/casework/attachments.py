"""Attachments for concerns, advice requests and referrals.

* Size: at most ``ATTACHMENT_MAX_BYTES`` (10 MB by default); an empty file is refused too.
* Type: read from the file's first bytes (``filetype``), never from its name or the browser's
  ``Content-Type``; only the types in :data:`ALLOWED` are kept. A renamed executable is refused.
* Storage: outside the web root under a random name (``portal.casework.files``); the name the person
  gave is kept for display and the download's ``Content-Disposition`` only.
* Serving: only through a view that fetched the attachment through its policy, as a download, with
  ``nosniff``; every download is audited.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.audit.service import record
from portal.casework import files
from portal.casework.actions import Action
from portal.casework.models import Attachment
from portal.extensions import db

#: MIME type (as read from the bytes) -> what the page calls it.
ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
}

ALLOWED_DESCRIPTION = "a PDF, JPEG, PNG, Word, Excel or OpenDocument file"


class AttachmentRejected(ValueError):
    """The file cannot be kept; the message says why, in words for the person who chose it."""


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def max_size_label() -> str:
    return f"{max_bytes() // (1024 * 1024)}MB"


def detect_type(head: bytes) -> str | None:
    """The MIME type the bytes say they are, if it is one we accept."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    return kind.mime if kind.mime in ALLOWED else None


def safe_filename(name: str | None) -> str:
    """The file's own name, made safe to show and to send back (no path, no control characters)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name).strip(" .")
    return (name or "attachment")[:200]


def read_upload(upload: FileStorage) -> tuple[bytes, str]:
    """Read and check an upload; returns (bytes, MIME type) or raises :class:`AttachmentRejected`."""
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if not data:
        raise AttachmentRejected("The selected file is empty")
    if len(data) > limit:
        raise AttachmentRejected(f"The selected file must be smaller than {max_size_label()}")
    mime = detect_type(data[:8192] if not data.startswith(b"PK") else data)
    if mime is None:
        raise AttachmentRejected(f"The selected file must be {ALLOWED_DESCRIPTION}")
    return data, mime


def check_upload(upload: FileStorage) -> str | None:
    """A form validator's view: the message to show next to the field, or ``None`` if the file is fine.
    The stream is rewound so the file can be saved afterwards."""
    try:
        read_upload(upload)
    except AttachmentRejected as exc:
        return str(exc)
    finally:
        upload.stream.seek(0)
    return None


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


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"
