"""The file store: bytes kept outside the web root under random names, per authority.

Nothing here knows who may read a file; callers check the policy first (``portal.policies``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

from tenants.context import require_authority_id


def _root() -> Path:
    return Path(current_app.config["FILE_STORE_PATH"])


def new_key() -> str:
    """A random storage name: 256 bits, URL- and file-system-safe."""
    return secrets.token_hex(32)


def path_for(key: str, authority_id: uuid.UUID | None = None) -> Path:
    """Where ``key`` lives for the authority in context (or ``authority_id``)."""
    if not key or not all(c in "0123456789abcdef" for c in key) or len(key) != 64:
        raise ValueError("Not a storage key")
    authority = authority_id or require_authority_id()
    return _root() / str(authority) / key[:2] / key


def write(key: str, data: bytes) -> Path:
    """Write ``data`` under ``key`` atomically (a crash leaves no half-written file under the name)."""
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def read(key: str) -> bytes:
    return path_for(key).read_bytes()


def exists(key: str) -> bool:
    return path_for(key).exists()


def remove(key: str) -> None:
    path_for(key).unlink(missing_ok=True)


def stored(authority_id: uuid.UUID | None = None) -> Iterator[Path]:
    """Every file in the store of the authority in context (or ``authority_id``), a half-written
    ``.part`` included."""
    folder = _root() / str(authority_id or require_authority_id())
    if folder.is_dir():
        yield from (path for path in folder.glob("??/*") if path.is_file())
