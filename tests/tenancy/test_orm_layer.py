"""Layer 1: the ORM adds the tenant criteria to every query and fails closed without a tenant."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import aliased

from portal.accounts.models import Membership, User
from portal.authorities.models import Authority, Organisation, OrganisationKind
from portal.extensions import db
from tenants import CrossTenantWrite, TenantContextMissing, platform_scope, tenant_scope


def names(rows):
    return sorted(rows)


def test_query_without_tenant_context_raises(app, world):
    """Does a query on a tenant-owned model with no tenant context refuse to run?"""
    with app.app_context():
        with pytest.raises(TenantContextMissing):
            db.session.execute(select(Organisation)).all()
        with pytest.raises(TenantContextMissing):
            db.session.execute(select(func.count()).select_from(User)).scalar()
        with pytest.raises(TenantContextMissing):
            db.session.get(User, world.a.dsl1.id)


def test_core_statement_on_tenant_table_raises(app, world):
    """Is a Core statement on a tenant table (which would get no criteria) refused outside the platform scope?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        with pytest.raises(TenantContextMissing):
            db.session.execute(select(Organisation.__table__)).all()


def test_queries_see_only_the_current_authority(app, world):
    """Inside authority A, do plain selects, joins, aliases and counts return only A's rows?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        organisation_names = db.session.execute(select(Organisation.name)).scalars().all()
        assert organisation_names and all(name.startswith("Avonford") for name in organisation_names)
        joined = db.session.execute(
            select(User.email, Organisation.name)
            .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
            .join(Organisation, Organisation.id == Membership.organisation_id)
        ).all()
        assert joined and all(email.endswith("avonford.example.org") for email, _ in joined)
        other = aliased(Organisation)
        aliased_names = db.session.execute(select(other.name).where(other.kind == OrganisationKind.SCHOOL)).scalars().all()
        assert names(aliased_names) == ["Avonford High School", "Avonford Primary School"]
        assert db.session.execute(select(func.count()).select_from(User)).scalar() == len(world.a.people)


def test_fetching_another_authoritys_row_by_id_finds_nothing(app, world):
    """Does asking for B's row by its id, from inside A, return nothing (as if it did not exist)?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        assert db.session.get(User, world.b.dsl1.id) is None
        assert db.session.execute(select(User).where(User.id == world.b.dsl1.id)).first() is None


def test_bulk_update_and_delete_touch_only_the_current_authority(app, world):
    """Do ORM bulk UPDATE and DELETE statements leave the other authority's rows alone?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.execute(update(Organisation).values(contact_email="all@avonford.example.org"))
        db.session.execute(delete(Membership).where(Membership.role == "partner"))
        db.session.commit()
    with app.app_context(), tenant_scope(world.b.authority_id):
        assert db.session.execute(select(Organisation.contact_email)).scalars().all() == [None] * 5
        partners = db.session.execute(select(func.count()).select_from(Membership).where(Membership.role == "partner")).scalar()
        assert partners == 2


def test_one_statement_run_in_two_authorities_gives_each_its_own_rows(app, world):
    """The criteria carry the authority as a parameter of the statement, not in its text: the same statement
    object, run in A and then in B (one compiled form, cached), returns A's rows in A and B's in B; a
    statement's own parameters are kept beside the authority's."""
    statement = select(Organisation.name).where(Organisation.kind == OrganisationKind.SCHOOL).order_by(Organisation.name)
    with app.app_context():
        with tenant_scope(world.a.authority_id):
            in_a = db.session.execute(statement).scalars().all()
            someone_in_a = db.session.execute(select(User.email).where(User.id == world.a.dsl1.id)).scalars().all()
        with tenant_scope(world.b.authority_id):
            in_b = db.session.execute(statement).scalars().all()
            not_in_b = db.session.execute(select(User.email).where(User.id == world.a.dsl1.id)).scalars().all()
    assert in_a == ["Avonford High School", "Avonford Primary School"]
    assert in_b and not set(in_a) & set(in_b)
    assert someone_in_a == [world.a.dsl1.email] and not_in_b == []


def _notification_in_each(app, world) -> dict:
    from portal.notifications.models import Notification

    ids = {}
    for side in (world.a, world.b):
        with app.app_context(), tenant_scope(side.authority_id):
            notification = Notification(user_id=side.dsl1.id, title="A new referral")
            db.session.add(notification)
            db.session.commit()
            ids[side.slug] = notification.id
    return ids


def test_a_bulk_update_by_primary_key_is_refused(app, world):
    """An ORM bulk UPDATE by primary key (one UPDATE with a set of parameters for each row) takes no loader
    criteria (SQLAlchemy leaves them out): it is refused in a tenant's context, before it reaches the
    database, so naming B's row among A's changes nothing."""
    from portal.notifications.models import Notification

    ids = _notification_in_each(app, world)
    with app.app_context(), tenant_scope(world.a.authority_id):
        with pytest.raises(TenantContextMissing, match="bulk"):
            db.session.execute(
                update(Notification).execution_options(synchronize_session=None),
                [{"id": ids[world.a.slug], "title": "Seen in A"}, {"id": ids[world.b.slug], "title": "Changed from A"}],
            )
        db.session.rollback()
    with app.app_context(), tenant_scope(world.b.authority_id):
        assert db.session.execute(select(Notification.title).where(Notification.id == ids[world.b.slug])).scalar_one() == "A new referral"


def test_a_bulk_insert_gets_the_authority_and_cannot_name_another(app, world):
    """An ORM bulk INSERT (a set of parameters for each row, not the unit of work) gets the authority of
    the context on every row, and a row for another authority is refused, as a row added to the session is."""
    from sqlalchemy import insert

    from portal.notifications.models import Notification

    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.execute(insert(Notification), [{"user_id": world.a.dsl1.id, "title": "One"}, {"user_id": world.a.dsl2.id, "title": "Two"}])
        db.session.commit()
        titles = db.session.execute(select(Notification.title).where(Notification.title.in_(["One", "Two"]))).scalars().all()
        assert sorted(titles) == ["One", "Two"]
        with pytest.raises(CrossTenantWrite):
            db.session.execute(insert(Notification), [{"user_id": world.b.dsl1.id, "title": "Planted", "authority_id": world.b.authority_id}])
        db.session.rollback()
    with app.app_context(), tenant_scope(world.b.authority_id):
        assert db.session.execute(select(func.count()).select_from(Notification)).scalar() == 0


def test_new_rows_get_the_authority_from_the_context(app, world):
    """Is authority_id filled in from the tenant context when a row is created?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        organisation = Organisation(name="Avonford Youth Service", kind=OrganisationKind.VOLUNTARY)
        db.session.add(organisation)
        db.session.commit()
        assert organisation.authority_id == world.a.authority_id


def test_writing_a_row_for_another_authority_is_refused(app, world):
    """Is a new row carrying B's authority_id refused while working for A?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.add(Organisation(name="Smuggled", kind=OrganisationKind.OTHER, authority_id=world.b.authority_id))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_moving_a_row_to_another_authority_is_refused(app, world):
    """Can a loaded row be moved to another authority by changing its authority_id? (It must not.)"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        organisation = db.session.get(Organisation, world.a.school1)
        organisation.authority_id = world.b.authority_id
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_writing_without_a_tenant_is_refused(app, world):
    """Is saving a tenant-owned row with no tenant context refused?"""
    with app.app_context():
        db.session.add(Organisation(name="Orphan", kind=OrganisationKind.OTHER, authority_id=world.a.authority_id))
        with pytest.raises(TenantContextMissing):
            db.session.flush()
        db.session.rollback()


def test_platform_scope_cannot_write_tenant_rows(app, world):
    """Can the platform scope create a tenant row? (It must not: it has no authority.)"""
    with app.app_context(), platform_scope("test: try to write"):
        db.session.add(Organisation(name="Platform-made", kind=OrganisationKind.OTHER, authority_id=world.a.authority_id))
        with pytest.raises(TenantContextMissing):
            db.session.flush()
        db.session.rollback()


def test_platform_scope_reads_the_register_of_authorities(app, world):
    """Can the platform scope list authorities (names only, not tenant data)?"""
    with app.app_context(), platform_scope("test: list authorities"):
        slugs = db.session.execute(select(Authority.slug).order_by(Authority.slug)).scalars().all()
    assert slugs == ["avonford", "brackley"]


def test_platform_scope_needs_a_reason(app):
    """Must code say why it enters the platform scope?"""
    with pytest.raises(ValueError):
        with platform_scope(""):
            pass


def test_switching_authority_drops_what_was_loaded(app, world):
    """After switching from A to B in one app context, is A's object gone from the session?"""
    with app.app_context():
        with tenant_scope(world.a.authority_id):
            assert db.session.get(Organisation, world.a.school1) is not None
        with tenant_scope(world.b.authority_id):
            # Not served from the identity map: a fresh query with B's criteria finds nothing.
            assert db.session.get(Organisation, world.a.school1) is None


def test_switching_authority_with_unsaved_changes_is_refused(app, world):
    """Is a switch of tenant refused while the session holds unsaved changes for the old one?"""
    with app.app_context():
        with tenant_scope(world.a.authority_id):
            db.session.add(Organisation(name="Half-made", kind=OrganisationKind.OTHER))
            with pytest.raises(CrossTenantWrite):
                with tenant_scope(world.b.authority_id):
                    pass
            db.session.rollback()


def test_relationship_loads_stay_inside_the_authority(app, world):
    """Do lazy relationship loads (a user's memberships and their organisations) stay in the authority?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        user = db.session.get(User, world.a.dsl1.id)
        assert [m.organisation.name for m in user.memberships] == ["Avonford Primary School"]


def test_raw_sql_is_not_filtered_by_the_orm(app, world, database):
    """Raw SQL gets no ORM criteria: on SQLite it sees every authority, which is why PostgreSQL adds
    row-level security (layer 3) and why the portal's code never uses raw SQL on tenant tables."""
    with app.app_context(), tenant_scope(world.a.authority_id):
        count = db.session.execute(text("SELECT count(*) FROM organisations")).scalar()
    assert count == (5 if database.is_postgresql else 10)


def test_an_error_inside_a_scope_is_not_hidden_by_the_switch_guard(app, world):
    """If code fails inside a tenant scope with unsaved changes, does the caller see that failure (and
    are the changes discarded), rather than the guard's complaint about unsaved changes?"""
    with app.app_context():
        with pytest.raises(ZeroDivisionError):
            with tenant_scope(world.a.authority_id):
                db.session.add(Organisation(name="Half-made", kind=OrganisationKind.OTHER))
                raise ZeroDivisionError("a failure inside the tenant scope")
        with tenant_scope(world.a.authority_id):
            assert db.session.execute(select(Organisation).where(Organisation.name == "Half-made")).first() is None


def test_a_request_that_ends_with_unsaved_changes_discards_them(make_app, world):
    """Does a request that returns without committing its changes end cleanly, saving nothing?"""
    from tests.support import sign_in

    app = make_app()

    @app.route("/_forgets_to_commit")
    def forgets_to_commit():
        db.session.add(Organisation(name="Never committed", kind=OrganisationKind.OTHER))  # pending, not flushed
        return "done"

    client = app.test_client()
    sign_in(client, world.a.admin)
    assert client.get("/_forgets_to_commit").status_code == 200
    with app.app_context(), tenant_scope(world.a.authority_id):
        assert db.session.execute(select(Organisation).where(Organisation.name == "Never committed")).first() is None
