"""Finding pupils on the register: by part of a name, and page after page in register order (the
queries the register, the concern form and the referral form share)."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, func, or_

from portal.extensions import db
from portal.pagination import decode_cursor
from portal.policies import visible_query
from portal.pupils.models import Pupil


def name_contains(word: str):
    """A condition: one of the pupil's names (legal first name, legal surname or preferred name) contains
    ``word``, in any case. ``%``, ``_`` and ``\\`` in ``word`` match only themselves."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    return or_(
        func.lower(Pupil.legal_forename).like(like, escape="\\"),
        func.lower(Pupil.legal_surname).like(like, escape="\\"),
        func.lower(func.coalesce(Pupil.preferred_name, "")).like(like, escape="\\"),
    )


def after_pupil(cursor: str | None):
    """The pupils after the one a "next page" cursor names, in register order (surname, forename, id);
    ``None`` for no cursor, or one that is tampered with or names a pupil the user may not see.

    The cursor holds the last pupil's id only, never a name: it travels in the address, so in browser
    history and access logs.
    """
    values = decode_cursor(cursor, 1)
    if not values or not isinstance(values[0], uuid.UUID):
        return None
    last = db.session.execute(visible_query(Pupil).where(Pupil.id == values[0])).scalar_one_or_none()
    if last is None:
        return None
    return or_(
        Pupil.legal_surname > last.legal_surname,
        and_(Pupil.legal_surname == last.legal_surname, Pupil.legal_forename > last.legal_forename),
        and_(Pupil.legal_surname == last.legal_surname, Pupil.legal_forename == last.legal_forename, Pupil.id > last.id),
    )


#: The sort key a register page's cursor carries (see :func:`after_pupil`).
def pupil_cursor_key(pupil) -> tuple:
    return (pupil.id,)
