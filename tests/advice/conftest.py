"""Fixtures for the advice pages: signed-in clients, a second front-door officer, and read-backs of what
the pages saved (requests, notifications, chronology lines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support import detached_rows, signed_in_client
from tests.world import create_user


@pytest.fixture
def signed_in(app):
    """A fresh client signed in as ``person``."""
    return lambda person: signed_in_client(app, person)


@pytest.fixture
def front_door2(app, world):
    """A second front-door officer in A (so "every officer" means more than one)."""
    return create_user(app, world.a.authority_id, "second.officer@avonford.example.org", "front_door", world.a.social_care, full_name="Sam Second")


@pytest.fixture
def titles(app):
    """The titles of the in-app notifications one person has, oldest first: ``titles(person)``."""
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants.context import tenant_scope

    def _titles(person):
        with app.app_context(), tenant_scope(person.authority_id):
            query = select(Notification.title).where(Notification.user_id == person.id).order_by(Notification.created_at)
            result = list(db.session.execute(query).scalars())
            db.session.rollback()
            return result

    return _titles


@pytest.fixture
def rows(app):
    """All rows of ``model`` in one authority matching ``column == value`` filters, detached."""
    return lambda model, authority_id, **filters: detached_rows(app, model, authority_id, **filters)
