"""The current tenant.

A tenant context says which authority the code is working for, and for whom. It is set

* per request, from the signed-in user (``portal.accounts.sessions``), and reset when the request ends;
* per job, from the job's explicit ``authority_id`` (``jobs.runner``);
* per command, by the command (``flask tenants ...``).

Without one, any query on a tenant-owned model raises :class:`TenantContextMissing`: the code fails
closed. :func:`platform_scope` is the only way to run a query without an authority, and it must say why;
even then PostgreSQL's row-level security still hides every tenant row (see ``tenants.schema``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was queried or written with no authority in context."""


class CrossTenantWrite(RuntimeError):
    """Code tried to write a row for an authority other than the one in context."""


@dataclass(frozen=True)
class TenantContext:
    """Who the code is working for. ``authority_id`` is ``None`` only in the platform scope."""

    authority_id: uuid.UUID | None
    user_id: uuid.UUID | None = None
    platform_reason: str | None = None

    @property
    def is_platform(self) -> bool:
        return self.authority_id is None


_current: ContextVar[TenantContext | None] = ContextVar("portal_tenant_context", default=None)

# Called with (old, new) whenever the context changes. tenants.orm registers one that refuses to switch
# while the database session holds unsaved changes, and otherwise starts a fresh session, so that
# nothing loaded for one authority (identity map, transaction setting) survives into another.
_switch_listeners: list[Callable[[TenantContext | None, TenantContext | None], None]] = []


# Called when a scope is left because of an exception: tenants.orm registers one that discards the
# session's unsaved work, so the guard above does not hide the exception behind its own.
_discard_listeners: list[Callable[[], None]] = []


def on_switch(listener: Callable[[TenantContext | None, TenantContext | None], None]) -> None:
    """Register ``listener`` to run whenever the tenant context changes."""
    if listener not in _switch_listeners:
        _switch_listeners.append(listener)


def on_discard(listener: Callable[[], None]) -> None:
    """Register ``listener`` to run when a scope is left because of an exception."""
    if listener not in _discard_listeners:
        _discard_listeners.append(listener)


def discard_unsaved() -> None:
    """Throw away unsaved work of the current scope (it failed, or the request is over)."""
    for listener in _discard_listeners:
        listener()


def _as_uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def current() -> TenantContext | None:
    """The tenant context in force, or ``None``."""
    return _current.get()


def current_authority_id() -> uuid.UUID | None:
    """The current authority's id, or ``None`` outside any tenant (including the platform scope)."""
    ctx = _current.get()
    return ctx.authority_id if ctx else None


def require_authority_id() -> uuid.UUID:
    """The current authority's id; raises :class:`TenantContextMissing` when there is none."""
    authority_id = current_authority_id()
    if authority_id is None:
        raise TenantContextMissing("This needs a tenant context (an authority) and none is set.")
    return authority_id


def _switch(new: TenantContext | None) -> Token[TenantContext | None]:
    old = _current.get()
    if old != new:
        for listener in _switch_listeners:
            listener(old, new)
    return _current.set(new)


def _restore(token: Token[TenantContext | None]) -> None:
    inner = _current.get()
    outer = token.old_value if token.old_value is not Token.MISSING else None
    if inner != outer:
        for listener in _switch_listeners:
            listener(inner, outer)
    _current.reset(token)


def activate(authority_id: uuid.UUID | str, user_id: uuid.UUID | str | None = None) -> Token[TenantContext | None]:
    """Enter an authority's context until :func:`deactivate` is called with the returned token.

    Used by the request hooks, where the context lasts from sign-in check to the end of the request.
    Prefer :func:`tenant_scope` everywhere else.
    """
    authority = _as_uuid(authority_id)
    if authority is None:
        raise TenantContextMissing("activate() needs an authority id.")
    return _switch(TenantContext(authority, _as_uuid(user_id)))


def deactivate(token: Token[TenantContext | None]) -> None:
    """Leave the context entered by :func:`activate`."""
    _restore(token)


def _entered() -> TenantContext:
    """The context just entered (always set inside a scope)."""
    context = _current.get()
    assert context is not None
    return context


@contextmanager
def tenant_scope(authority_id: uuid.UUID | str, user_id: uuid.UUID | str | None = None) -> Iterator[TenantContext]:
    """Run the block for one authority (and optionally one user)."""
    token = activate(authority_id, user_id)
    try:
        yield _entered()
    except BaseException:
        discard_unsaved()
        raise
    finally:
        deactivate(token)


@contextmanager
def platform_scope(reason: str) -> Iterator[TenantContext]:
    """Run the block with no authority, on purpose.

    Queries on tenant-owned models get no automatic criteria here, so the block must only read what the
    platform may read (the authorities register, the sign-in directory). Row-level security still
    applies on PostgreSQL, where tenant rows stay invisible. Writes of tenant rows are refused.
    """
    if not reason:
        raise ValueError("platform_scope() needs a reason, for the reader of the code.")
    token = _switch(TenantContext(None, None, reason))
    try:
        yield _entered()
    except BaseException:
        discard_unsaved()
        raise
    finally:
        _restore(token)
