"""How much the isolation layer and the audit chain cost. Targets (checked by eye in `make bench`, never
in timed tests): the tenant criteria add well under a millisecond to a query; an audited write stays in
single milliseconds on SQLite."""

from sqlalchemy import select

from portal.audit.actions import Action
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.extensions import db
from tenants import platform_scope, tenant_scope
from tests.support import sign_in


def test_tenant_scoped_select(benchmark, app, world):
    """A select on a tenant-owned model, with the automatic criteria."""
    with app.app_context(), tenant_scope(world.a.authority_id):
        benchmark(lambda: db.session.execute(select(Organisation).where(Organisation.kind == "school")).scalars().all())


def test_same_select_without_criteria(benchmark, app, world):
    """The same select in the platform scope (no criteria added), for comparison."""
    with app.app_context(), platform_scope("benchmark baseline"):
        benchmark(lambda: db.session.execute(select(Organisation).where(Organisation.kind == "school")).scalars().all())


def test_audited_write(benchmark, app, world):
    """Recording one audit event (lock, read the chain's end, hash, insert) and committing it."""
    with app.app_context(), tenant_scope(world.a.authority_id):

        def write():
            record(Action.RECORD_VIEWED, object_type="benchmark", object_id="1")
            db.session.commit()

        benchmark(write)


def test_sign_in_request(benchmark, app, world):
    """A whole sign-in: directory lookup, argon2 check (test parameters), new session, audit row."""
    benchmark(lambda: sign_in(app.test_client(), world.a.dsl1))
