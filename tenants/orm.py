"""Layer 1 of isolation: the ORM.

* Every query that touches a tenant-owned model gets
  ``with_loader_criteria(TenantOwned, authority_id == <current authority>)``, joins, aliases and
  relationship loads included.
* A query on a tenant-owned model with no tenant context raises :class:`TenantContextMissing`; so does a
  Core statement (``select(table)``) on a tenant table outside the platform scope, because Core
  statements get no automatic criteria.
* New tenant-owned rows get ``authority_id`` from the context; a row of another authority, or a change
  of ``authority_id``, is refused before it reaches the database — bulk ``INSERT``s included. An ORM bulk
  ``UPDATE`` by primary key (which SQLAlchemy runs without loader criteria) is refused.
* On PostgreSQL, every transaction the session begins first runs
  ``set_config('app.authority_id', <id or ''>, true)`` with a bound parameter; the setting ends with the
  transaction, so a pooled connection carries nothing into the next request. Row-level security
  (layer 3, ``tenants.schema``) reads it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import Connection, ForeignKey, ForeignKeyConstraint, UniqueConstraint, Uuid, bindparam, event, inspect, text
from sqlalchemy.orm import (
    Mapped,
    Mapper,
    ORMExecuteState,
    Relationship,
    Session,
    SessionTransaction,
    UOWTransaction,
    mapped_column,
    relationship,
    scoped_session,
    with_loader_criteria,
)
from sqlalchemy.sql import util as sql_util

from tenants import context as tenant_context
from tenants.context import CrossTenantWrite, TenantContext, TenantContextMissing

#: Names of the tables of tenant-owned models, filled as the models are declared.
TENANT_TABLES: set[str] = set()
#: The tenant-owned model classes, filled as they are declared.
TENANT_MODELS: list[type] = []


class TenantOwned:
    """Mixin for a model whose rows belong to one authority.

    The table gets ``authority_id NOT NULL`` (a foreign key to ``authorities``). Declare
    ``__table_args__ = tenant_table_args(...)`` so the table also has ``UNIQUE (authority_id, id)``, the
    target of composite foreign keys from its children.
    """

    authority_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("authorities.id", ondelete="RESTRICT"), nullable=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        tablename = cls.__dict__.get("__tablename__")
        if tablename:
            TENANT_TABLES.add(tablename)
            TENANT_MODELS.append(cls)


def tenant_table_args(*constraints: Any, **options: Any) -> tuple[Any, ...]:
    """``__table_args__`` for a tenant-owned table: ``UNIQUE (authority_id, id)`` plus ``constraints``."""
    args = (UniqueConstraint("authority_id", "id"), *constraints)
    return (*args, options) if options else args


def parent_key(column: str, parent_table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """Composite foreign key ``(authority_id, column) -> parent_table (authority_id, id)``.

    Layer 2 of isolation: the database refuses a row that points at another authority's parent.
    """
    return ForeignKeyConstraint(
        ["authority_id", column],
        [f"{parent_table}.authority_id", f"{parent_table}.id"],
        ondelete=ondelete,
    )


def tenant_relationship(target: str, foreign_key: str, *, parent: str | None = None, viewonly: bool = True, **options: Any) -> Relationship[Any]:
    """A relationship that joins on the authority as well as the id, so that it can only ever load a row
    of the same authority (the composite foreign keys of :func:`parent_key` make that true in the
    database; this makes the ORM say it).

    * Many-to-one: ``tenant_relationship("Pupil", "Referral.pupil_id")`` on ``Referral``: the pupil its
      ``pupil_id`` points at.
    * One-to-many: ``tenant_relationship("ReferralMessage", "ReferralMessage.referral_id", parent="Referral")``
      on ``Referral``: the messages whose ``referral_id`` points at it.

    Read-only by default (``viewonly``); other options go to SQLAlchemy's ``relationship``.
    """
    many, _, column = foreign_key.partition(".")
    if not column:
        raise ValueError(f"foreign_key must name the model and its column, like 'Referral.pupil_id', not {foreign_key!r}")
    one = parent if parent is not None else target
    if parent is not None and many != target:
        raise ValueError(f"A one-to-many relationship to {target} joins on a column of {target}, not of {many}")
    primaryjoin = f"and_({one}.id == foreign({many}.{column}), {one}.authority_id == {many}.authority_id)"
    return relationship(target, primaryjoin=primaryjoin, viewonly=viewonly, **options)


class TenantSession(FlaskSQLAlchemySession):
    """The application's session class; the listeners below are attached to it alone."""


_TENANT_MAPPERS: dict[Mapper[Any], bool] = {}


def _is_tenant_mapper(mapper: Mapper[Any]) -> bool:
    known = _TENANT_MAPPERS.get(mapper)
    if known is None:
        known = _TENANT_MAPPERS[mapper] = issubclass(mapper.class_, TenantOwned)
    return known


@functools.lru_cache(maxsize=1024)
def _tenant_criteria(authority_id: Any) -> Any:
    """The loader option that keeps a statement to one authority, with the authority's id in the option:
    for a statement run with several sets of parameters (``executemany``), which cannot take one more."""
    return with_loader_criteria(TenantOwned, lambda cls: cls.authority_id == authority_id, include_aliases=True)


#: The parameter the tenant criteria compare ``authority_id`` with; the hook gives it the current
#: authority's id with every statement. A statement run without it fails (fail closed).
TENANT_PARAMETER = "tenant_authority_id"
_TENANT_ID = bindparam(TENANT_PARAMETER, type_=Uuid, required=True)
#: The loader option that keeps a statement to the current authority: one option for every authority and
#: every request, with nothing in it to work out again per statement (a lambda over the authority's id
#: was: SQLAlchemy read its closure at each execution — about 1.5 ms of the front-door queue's 12).
_TENANT_CRITERIA = with_loader_criteria(TenantOwned, lambda cls: cls.authority_id == _TENANT_ID, include_aliases=True, track_closure_variables=False)


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    """Add the tenant criteria to every statement that touches a tenant-owned model; fail closed.

    A statement whose entities include a tenant model needs the criteria whatever else it reads, so its
    tables are scanned only when none does (a ``select(func.count()).select_from(Model)``, a Core
    statement) — the scan is most of this hook's cost."""
    if state.is_insert:
        _check_bulk_insert(state)  # (inserts by the unit of work are checked in before_flush)
        return
    if any(_is_tenant_mapper(m) for m in state.all_mappers):
        touched: set[str] | None = None  # named only for an error message
    else:
        touched = _tenant_tables_in(state.statement)
        if not touched:
            return
    ctx = tenant_context.current()
    if ctx is None:
        touched = touched if touched is not None else _tenant_tables_in(state.statement)
        raise TenantContextMissing(
            f"A query on tenant-owned table(s) {sorted(touched) or ''} ran with no tenant context. Enter "
            "tenant_scope() (or, for platform-level reads, platform_scope())."
        )
    if ctx.is_platform:
        return  # explicit, and row-level security still applies on PostgreSQL
    if not state.is_orm_statement:
        # Core statements (select(table), text()) get no loader criteria: refuse them on tenant tables.
        touched = touched if touched is not None else _tenant_tables_in(state.statement)
        raise TenantContextMissing(f"Core statement on tenant table(s) {sorted(touched)} bypasses the tenant criteria; use the ORM.")
    parameters = state.parameters
    if not isinstance(parameters, Mapping | None):
        # An UPDATE or DELETE with a set of parameters for each row (ORM bulk UPDATE by primary key):
        # SQLAlchemy leaves the loader criteria out of it, so it would reach any authority's rows.
        raise TenantContextMissing(
            f"A bulk UPDATE or DELETE by primary key on tenant table(s) {sorted(_tenant_tables_in(state.statement))} gets no tenant criteria; "
            "update the rows through the session, or with one UPDATE ... WHERE."
        )
    state.statement = state.statement.options(_TENANT_CRITERIA)
    state.parameters = {**(parameters or {}), TENANT_PARAMETER: ctx.authority_id}


def _check_bulk_insert(state: ORMExecuteState) -> None:
    """An ORM bulk INSERT (``session.execute(insert(Model), [rows])``) skips the unit of work and so
    ``before_flush``: its rows get the authority of the context where they name none, and a row naming
    another authority is refused, as for rows added to the session."""
    if not any(_is_tenant_mapper(m) for m in state.all_mappers):
        return
    parameters = state.parameters
    single = isinstance(parameters, Mapping)
    rows: list[Mapping[str, Any]] = [parameters] if isinstance(parameters, Mapping) else list(parameters or [])
    if not rows:
        return
    ctx = tenant_context.current()
    if ctx is None or ctx.authority_id is None:
        raise TenantContextMissing("Cannot insert tenant rows with no authority in context.")
    if any(row.get("authority_id") is None for row in rows):
        rows = [row if row.get("authority_id") is not None else {**row, "authority_id": ctx.authority_id} for row in rows]
        state.parameters = rows[0] if single else rows
    if any(row["authority_id"] != ctx.authority_id for row in rows):
        raise CrossTenantWrite("Refused: a bulk insert of rows for another authority.")


def _tenant_tables_in(statement: Any) -> set[str]:
    """Names of the tenant tables a statement reads or writes (``all_mappers`` misses some, such as
    ``select(func.count()).select_from(Model)``, so the statement's tables are scanned as well)."""
    if not hasattr(statement, "get_children"):
        return set()
    tables = sql_util.find_tables(statement, include_aliases=True, include_joins=True, include_selects=True, include_crud=True)
    return {name for t in tables if isinstance(name := getattr(t, "name", None), str)} & TENANT_TABLES


@event.listens_for(TenantSession, "before_flush")
def _stamp_and_check_authority(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    """Fill ``authority_id`` on new tenant rows from the context; refuse writes for another authority."""
    ctx = tenant_context.current()
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if ctx is None or ctx.authority_id is None:
            raise TenantContextMissing(f"Cannot save a new {type(obj).__name__} with no authority in context.")
        if obj.authority_id is None:
            obj.authority_id = ctx.authority_id
        elif obj.authority_id != ctx.authority_id:
            raise CrossTenantWrite(f"Refused: a new {type(obj).__name__} for another authority.")
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantOwned):
            continue
        if ctx is None or ctx.authority_id is None:
            raise TenantContextMissing(f"Cannot change a {type(obj).__name__} with no authority in context.")
        history = inspect(obj).attrs.authority_id.history
        if history.has_changes() and history.deleted and history.deleted[0] is not None:
            raise CrossTenantWrite(f"Refused: moving a {type(obj).__name__} to another authority.")
        if obj.authority_id != ctx.authority_id:
            raise CrossTenantWrite(f"Refused: changing a {type(obj).__name__} of another authority.")


@event.listens_for(TenantSession, "after_begin")
def _set_database_tenant(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """On PostgreSQL, tell row-level security which authority this transaction is for."""
    if connection.dialect.name != "postgresql":
        return
    authority_id = tenant_context.current_authority_id()
    connection.execute(
        text("SELECT set_config('app.authority_id', :authority_id, true)"),
        {"authority_id": str(authority_id) if authority_id else ""},
    )


_session_registry: scoped_session[Any] | None = None

#: ``session.info`` key under which the audit log keeps the events recorded in the session's transaction
#: until it commits (``portal.audit.service``): unsaved work like any other.
AUDIT_PENDING = "audit_events_to_seal"


def bind_session_registry(registry: scoped_session[Any]) -> None:
    """Tell the context-switch guard which (scoped) session the application uses."""
    global _session_registry
    _session_registry = registry
    tenant_context.on_switch(_fresh_session_on_switch)
    tenant_context.on_discard(_discard_unsaved)


def _discard_unsaved() -> None:
    """Roll back the session's unsaved work (the scope it belonged to failed, or its request ended)."""
    if _session_registry is None:
        return
    try:
        session = _session_registry()
    except RuntimeError:  # no application context: nothing to discard
        return
    session.info.pop(AUDIT_PENDING, None)
    session.rollback()


def _fresh_session_on_switch(old: TenantContext | None, new: TenantContext | None) -> None:
    """Refuse to switch tenant with unsaved changes; otherwise drop what was loaded for the old one."""
    registry = _session_registry
    if registry is None:
        return
    old_authority = old.authority_id if old else None
    new_authority = new.authority_id if new else None
    if old is not None and new is not None and old_authority == new_authority and old_authority is not None:
        return  # same authority (only the user changed): what was loaded stays valid
    try:
        session = registry()
    except RuntimeError:  # no application context: nothing to clean
        return
    if session.new or session.dirty or session.deleted:
        raise CrossTenantWrite("Cannot change tenant context with unsaved changes in the session.")
    session.info.pop(AUDIT_PENDING, None)  # uncommitted, like the flushed rows the close below rolls back
    session.close()
