"""Fixtures for the authority administration screens: clients signed in as A's administrators, and small
helpers that set up or read back state the screens act on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support import sign_in, signed_in_client
from tests.world import create_user


@pytest.fixture
def admin(app, world):
    """A client signed in as world.a.admin."""
    client = app.test_client()
    response = sign_in(client, world.a.admin)
    assert response.status_code == 302, "the administrator could not sign in"
    return client


@pytest.fixture
def admin2_person(app, world):
    """A second authority administrator in A, with two-factor authentication on."""
    return create_user(app, world.a.authority_id, "admin2@avonford.example.org", "authority_admin", full_name="Second Admin", two_factor=True)


@pytest.fixture
def admin2(app, admin2_person):
    """A client signed in as the second administrator of A."""
    client = app.test_client()
    response = sign_in(client, admin2_person, totp_secret=admin2_person.totp_secret)
    assert response.status_code == 302, "the second administrator could not sign in"
    return client


@pytest.fixture
def signed_in(app):
    """Sign a person in on a fresh client: ``signed_in(person)``."""
    return lambda person: signed_in_client(app, person, two_factor=True)


@pytest.fixture
def update(app):
    """Change columns of one row directly: ``update(Model, id, authority_id, column=value, ...)``."""
    from portal.extensions import db
    from tenants.context import tenant_scope

    def _update(model, object_id, authority_id, **values):
        with app.app_context(), tenant_scope(authority_id):
            obj = db.session.execute(select(model).where(model.id == object_id)).unique().scalar_one()
            for key, value in values.items():
                setattr(obj, key, value)
            db.session.commit()

    return _update


@pytest.fixture
def count(app):
    """How many rows of ``model`` one authority has matching ``column == value`` filters."""
    from portal.extensions import db
    from tenants.context import tenant_scope

    def _count(model, authority_id, **filters):
        with app.app_context(), tenant_scope(authority_id):
            query = select(func.count()).select_from(model)
            for key, value in filters.items():
                query = query.where(getattr(model, key) == value)
            result = db.session.execute(query).scalar_one()
            db.session.rollback()
            return result

    return _count
