"""Checking a file someone uploads, before anything keeps it: its size (at most ``ATTACHMENT_MAX_BYTES``, 10
MB by default, and not empty) and its type, read from its first bytes (``filetype``), never from its name
or the browser's ``Content-Type``; only the types in :data:`ALLOWED` are accepted, so a renamed
executable is refused. Used by attachments, the network's shared resources and safety maps, and by the
forms' file fields, so a refused file is named next to its field.
"""

from __future__ import annotations

import re
import unicodedata

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage

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

#: MIME type -> the extensions a file of that type may be downloaded with (the first is added when the name
#: has none of them).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
}


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


def download_name(filename: str | None, mime: str) -> str:
    """The name a kept file is downloaded under: its own name, with the extension of the type read from its
    bytes — never the one the uploader typed. A PDF uploaded as ``poly.html`` downloads as ``poly.pdf``, so
    no browser or desktop opens it as a web page."""
    name = safe_filename(filename)
    wanted = EXTENSIONS.get(mime)
    if wanted is None or name.lower().endswith(wanted):
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 5:
        name = stem
    return f"{name}{wanted[0]}"


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


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"
