"""Fixtures for the pupil register: a DSL's client, and reading the register back from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support import signed_in_client


@pytest.fixture
def signed_in(app):
    """A fresh client signed in as ``person``: ``signed_in(world.a.dsl1)``."""
    return lambda person: signed_in_client(app, person)


@pytest.fixture
def dsl(signed_in, world):
    """A client signed in as the DSL of A's first school."""
    return signed_in(world.a.dsl1)


@pytest.fixture
def register(app):
    """The pupils of one school as they are saved (detached), by legal surname and forename:
    ``register(side, "school1")``."""
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    def _register(side, school: str = "school1"):
        with app.app_context(), tenant_scope(side.authority_id):
            pupils = (
                db.session.execute(select(Pupil).where(Pupil.organisation_id == getattr(side, school)).order_by(Pupil.legal_surname, Pupil.legal_forename))
                .scalars()
                .all()
            )
            db.session.expunge_all()
            return pupils

    return _register


@pytest.fixture
def many_pupils(app):
    """Add ``n`` pupils to a school in one transaction: ``many_pupils(side, n, surname=...)``."""
    from datetime import date

    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    def _add(side, n: int, school: str = "school1", surnames=("Adams", "Brown", "Clarke", "Davies", "Evans")):
        with app.app_context(), tenant_scope(side.authority_id):
            for i in range(n):
                db.session.add(
                    Pupil(
                        organisation_id=getattr(side, school),
                        legal_forename=f"Child{i % 7}",  # repeats: ties on surname and forename are broken by id
                        legal_surname=surnames[i % len(surnames)],
                        date_of_birth=date(2014, 1 + i % 12, 1 + i % 28),
                        year_group="7",
                        sen=i % 3 == 0,
                        child_protection_plan=i % 10 == 0,
                    )
                )
            db.session.commit()

    return _add
