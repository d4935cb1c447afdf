"""Two-factor secrets sealed at rest: a TOTP secret is what a one-time code is made from, so a copy of the
database (a backup, a replica, a dump) must not give an attacker anyone's second factor. Sealed with
Fernet under ``TOTP_KEYS`` — keys of their own, never ``SECRET_KEY`` — the first key sealing and every key
opening, so keys rotate without downtime: put a new key first, run ``flask accounts reseal-totp``, then
drop the old key."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

#: Every Fernet token starts with these (version byte 0x80, base64).
_SEALED_PREFIX = "gAAAAA"


def _keys() -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in current_app.config["TOTP_KEYS"]])


def is_sealed(value: str) -> bool:
    return value.startswith(_SEALED_PREFIX)


def seal(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def unseal(value: str) -> str:
    """The secret; a value saved before secrets were sealed is returned as it is
    (the migration that brought sealing sealed them all; ``flask accounts reseal-totp`` seals any left)."""
    if not is_sealed(value):
        return value
    try:
        return _keys().decrypt(value.encode()).decode()
    except InvalidToken:
        raise RuntimeError("A two-factor secret cannot be opened with any of TOTP_KEYS: a key it was sealed with is missing") from None


class SealedString(TypeDecorator[str]):
    """A string column kept sealed in the database and open in Python."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else unseal(value)
