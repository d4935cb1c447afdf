"""Fixtures for the concerns pages: signed-in clients, a pupil at each school, the concern form as a
browser sends it, and reading back what was saved."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.clock import UK, utcnow
from tests.factories import make_pupil
from tests.support import detached_rows, signed_in_client


@pytest.fixture
def signed_in(app):
    """A fresh client signed in as ``person``."""
    return lambda person: signed_in_client(app, person)


@pytest.fixture
def pupil(app, world):
    """Jordan Example, year 6 at A's school1."""
    return make_pupil(app, world.a)


def concern_form(**overrides) -> dict:
    """The concern form as a browser posts it: something seen an hour ago (UK time)."""
    when = (utcnow() - timedelta(hours=1)).astimezone(UK)  # an hour of real time, across a change of the clocks too
    data = {
        "category": "neglect",
        "seen_or_heard": "Came in without a coat again and said she was hungry.",
        "child_words": "",
        "occurred_on": [str(when.day), str(when.month), str(when.year)],
        "occurred_time": when.strftime("%H:%M"),
        "location": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def concerns(app):
    """Every concern of an authority, oldest first (detached): ``concerns(authority_id)``."""
    from portal.concerns.models import Concern
    from portal.extensions import db
    from tenants.context import tenant_scope

    def _concerns(authority_id):
        with app.app_context(), tenant_scope(authority_id):
            rows = db.session.execute(select(Concern).order_by(Concern.created_at)).unique().scalars().all()
            db.session.expunge_all()
            return rows

    return _concerns


@pytest.fixture
def rows(app):
    """Every row of ``model`` in an authority (detached), matching ``column == value`` filters."""
    return lambda model, authority_id, **filters: detached_rows(app, model, authority_id, **filters)


@pytest.fixture
def add_concerns(app):
    """Add ``count`` concerns at once, straight into the database (for lists): each about its own pupil
    when ``pupils`` is not given, logged in turn by each of ``authors`` (user ids), a minute apart,
    newest last. Returns their ids in order."""
    from portal.clock import utcnow
    from portal.concerns.models import Concern
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    def _add(side, count, authors, *, school="school1", pupils=None, **fields):
        organisation_id = getattr(side, school)
        start = utcnow() - timedelta(minutes=count + 1)
        ids = []
        with app.app_context(), tenant_scope(side.authority_id):
            for n in range(count):
                pupil_id = pupils[n % len(pupils)] if pupils else None
                if pupil_id is None:
                    pupil = Pupil(
                        organisation_id=organisation_id,
                        legal_forename=f"Child{n:03d}",
                        legal_surname="Listed",
                        date_of_birth=datetime(2015, 1, 1).date(),
                        year_group="5",
                    )
                    db.session.add(pupil)
                    db.session.flush()
                    pupil_id = pupil.id
                concern = Concern(
                    organisation_id=organisation_id,
                    pupil_id=pupil_id,
                    raised_by_id=authors[n % len(authors)],
                    category="neglect",
                    seen_or_heard=f"Concern number {n}",
                    occurred_at=start,
                    created_at=start + timedelta(minutes=n),
                    **fields,
                )
                db.session.add(concern)
                db.session.flush()
                ids.append(concern.id)
            db.session.commit()
        return ids

    return _add
