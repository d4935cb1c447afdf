"""Fixtures for the casework pages: signed-in clients, a pupil with a chronology, tiny real files."""

from __future__ import annotations

import struct
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import signed_in_client

#: The smallest PDF worth the name: the type is read from the bytes, which start ``%PDF-1.4``.
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


#: A real 1×1 white PNG.
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)


@pytest.fixture
def signed_in(app):
    """Sign a person in on a fresh client: ``signed_in(person)``."""
    return lambda person: signed_in_client(app, person)


@pytest.fixture
def in_tenant(app):
    """``with in_tenant(side, person=None):`` an app context inside that authority (as that person)."""

    @contextmanager
    def scope(side, person=None):
        from tenants.context import tenant_scope

        with app.app_context(), tenant_scope(side.authority_id, person.id if person is not None else None):
            yield

    return scope


@pytest.fixture
def stored_files(app):
    """``stored_files(side)``: the files kept in the file store for an authority."""

    def listing(side) -> list[Path]:
        root = Path(app.config["FILE_STORE_PATH"]) / str(side.authority_id)
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return listing
