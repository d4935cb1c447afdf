"""Signed-in sessions and the per-request tenant context.

The browser's (signed) Flask session holds ``<authority id>.<session secret>``. On each request
:func:`load_user` enters that authority's tenant context, finds the ``UserSession`` by the secret's keyed
hash (behind the tenant criteria and, on PostgreSQL, row-level security), checks it is not revoked, idle
or past its absolute lifetime, and loads its user. The context lasts until the request ends.

A new ``UserSession`` is made at every sign-in (the session id rotates); sign-out revokes it; a password
change or deactivation revokes all of the user's sessions.
"""

from __future__ import annotations

import functools
import secrets
import uuid
from datetime import timedelta

from flask import current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Uuid, select

from portal.accounts.actions import Action
from portal.accounts.models import User, UserSession
from portal.audit.service import record
from portal.clock import utcnow
from portal.extensions import db, login_manager
from tenants import context as tenant_context

LAST_SEEN_RESOLUTION = timedelta(seconds=60)
TENANT_TOKENS = "_portal_tenant_tokens"
SESSION_EXPIRED = "session_expired"

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our own server-side sessions do this job, without IP pinning


def _user_get_id(self) -> str:
    """flask-login stores this in the cookie: which authority, and the session's secret."""
    return getattr(self, "_session_ref", None) or ""


User.get_id = _user_get_id


def _enter(authority_id: uuid.UUID, user_id: uuid.UUID | None = None) -> None:
    g.setdefault(TENANT_TOKENS, []).append(tenant_context.activate(authority_id, user_id))


def _leave_all() -> None:
    tokens = g.pop(TENANT_TOKENS, [])
    for token in reversed(tokens):
        tenant_context.deactivate(token)


@login_manager.user_loader
def load_user(reference: str) -> User | None:
    """Find the signed-in user for the reference in the cookie, inside their authority's context."""
    authority_hex, dot, secret = (reference or "").partition(".")
    if not dot:
        return None
    try:
        authority_id = uuid.UUID(hex=authority_hex)
    except ValueError:
        return None
    from portal.accounts.security import keyed_hash

    _enter(authority_id)
    found = _session_and_frame(authority_id, keyed_hash(secret))
    user_session = found[0] if found else None
    if user_session is None or user_session.revoked_at is not None:
        _leave_all()  # an anonymous request carries no tenant context
        return None
    now = utcnow()
    config = current_app.config
    expired = None
    if now - user_session.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        expired = "absolute_timeout"
    elif now - user_session.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        expired = "idle_timeout"
    user = user_session.user
    if expired or not user.is_active:
        user_session.revoked_at = now
        user_session.revoked_reason = expired or "user_inactive"
        record(Action.SESSION_EXPIRED, object_type="user", object_id=user.id, actor_id=user.id, details={"reason": user_session.revoked_reason})
        db.session.commit()
        g.session_expired = True
        session[SESSION_EXPIRED] = True  # read by the sign-in page the browser is sent to next
        _leave_all()
        return None
    if now - user_session.last_seen_at > LAST_SEEN_RESOLUTION:
        user_session.last_seen_at = now
        db.session.commit()
    _enter(authority_id, user.id)
    user._session_ref = reference
    g.user_session_id = user_session.id
    _, g.current_authority, unread, duties, network_guest = found
    g.setdefault("unread_counts", {})[user.id] = unread
    g.setdefault("_duties", {})[user.id] = _duties_from(duties)
    g.setdefault("_forum_guests", {})[user.id] = bool(network_guest)
    return user


def _session_and_frame(authority_id: uuid.UUID, secret_hash: str):
    """The session for ``secret_hash`` with everything every page's frame needs, in one statement: the
    person and their memberships (with each organisation), their authority, their unread notifications,
    the duties the authority names them for and whether they are a guest of the DSL network (which the
    menu asks of a partner). ``None`` if there is no such session."""
    params = {"frame_authority_id": authority_id, "frame_secret_hash": secret_hash}
    return db.session.execute(_frame_statement(), params).unique().one_or_none()


@functools.cache
def _frame_statement():
    """The statement of :func:`_session_and_frame`, built once (every signed-in request runs it), with the
    authority and the secret's hash as bound parameters."""
    from sqlalchemy import bindparam, func
    from sqlalchemy.orm import joinedload

    from portal.authorities.models import Authority, AuthorityDuty
    from portal.forums.models import ForumGuest
    from portal.notifications.models import Notification

    authority_id = bindparam("frame_authority_id", type_=Uuid)
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == UserSession.user_id, Notification.authority_id == authority_id, Notification.read_at.is_(None))
        .correlate(UserSession)
        .scalar_subquery()
    )
    duties = (
        select(func.aggregate_strings(AuthorityDuty.duty, ","))
        .where(AuthorityDuty.user_id == UserSession.user_id, AuthorityDuty.authority_id == authority_id)
        .correlate(UserSession)
        .scalar_subquery()
    )
    network_guest = (
        select(func.count(ForumGuest.id))
        .where(ForumGuest.user_id == UserSession.user_id, ForumGuest.authority_id == authority_id)
        .correlate(UserSession)
        .scalar_subquery()
    )
    return (
        select(UserSession, Authority, unread, duties, network_guest)
        .join(Authority, Authority.id == UserSession.authority_id)
        .where(UserSession.secret_hash == bindparam("frame_secret_hash"))
        .options(joinedload(UserSession.user).joinedload(User.memberships))
    )


def _duties_from(joined: str | None) -> set:
    from portal.authorities.models import Duty

    return {Duty(value) for value in (joined or "").split(",") if value}


def start_session(user: User) -> None:
    """Sign ``user`` in with a brand-new session (called inside their authority's tenant context)."""
    secret = secrets.token_urlsafe(32)
    from portal.accounts.security import keyed_hash

    agent = request.headers.get("User-Agent")
    db.session.add(
        UserSession(
            authority_id=user.authority_id,
            user_id=user.id,
            secret_hash=keyed_hash(secret),
            last_seen_at=utcnow(),
            ip_address=request.remote_addr,
            user_agent=agent[:300] if agent else None,
        )
    )
    user.last_sign_in_at = utcnow()
    user.failed_sign_ins = 0
    user.locked_until = None
    session.clear()  # nothing from before sign-in survives, including any pending two-factor state
    user._session_ref = f"{user.authority_id.hex}.{secret}"
    login_user(user, fresh=True)
    session.permanent = True


def end_session() -> None:
    """Sign the current user out and revoke their session."""
    session_id = g.get("user_session_id")
    if session_id is not None:
        user_session = db.session.get(UserSession, session_id)
        if user_session is not None and user_session.revoked_at is None:
            user_session.revoked_at = utcnow()
            user_session.revoked_reason = "signed_out"
    logout_user()
    session.clear()


def revoke_sessions(user: User, reason: str, *, keep_current: bool = False) -> int:
    """Revoke every live session of ``user`` (but the current one, with ``keep_current``)."""
    keep = g.get("user_session_id") if keep_current else None
    count = 0
    for user_session in db.session.execute(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).scalars():
        if user_session.id == keep:
            continue
        user_session.revoked_at = utcnow()
        user_session.revoked_reason = reason
        count += 1
    return count


# Endpoints a signed-in user who must still set up two-factor authentication may reach.
_ENROLMENT_ALLOWED = {
    "accounts.two_factor_setup",
    "accounts.sign_out",
    "static",
    "govuk_assets",
    "pages.accessibility",
    "pages.privacy",
}


def init_request_hooks(app) -> None:
    # Imported now, not at the end of the first request: importing jobs.dispatch registers the
    # after-commit hook that hands new outbox rows over, so a job queued by a process's first request
    # (an invitation, a reset email) would otherwise sit in the outbox until the relay found it.
    from jobs.dispatch import run_inline_pending

    @app.before_request
    def _load_user_and_tenant():
        """Load the user (and with them the tenant context) before any view code runs."""
        if request.endpoint in ("static", "govuk_assets"):
            return None
        if current_user.is_authenticated:
            authority = current_authority()
            if authority.require_two_factor and not current_user.two_factor_enabled and request.endpoint not in _ENROLMENT_ALLOWED:
                return redirect(url_for("accounts.two_factor_setup"))
        return None

    @app.after_request
    def _never_stored(response):
        """No browser or proxy keeps a page of the portal (they show children's records, or the way to
        them): every response but the portal's own styles, scripts, fonts and images is ``no-store``."""
        if request.endpoint not in ("static", "govuk_assets"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def _run_jobs_in_process(response):
        run_inline_pending()
        return response

    @app.teardown_appcontext
    def _run_leftover_jobs(exc):
        """Jobs committed outside a request (commands, jobs, scripts) run when their app context ends."""
        from jobs.dispatch import run_inline_pending

        run_inline_pending()

    @app.teardown_request
    def _leave_tenant(exc):
        """The request is over: what it did not commit is discarded, and its tenant context left."""
        try:
            tenant_context.discard_unsaved()
        finally:
            _leave_all()


def current_authority():
    """The signed-in user's authority (cached for the request)."""
    from portal.authorities.models import Authority

    if "current_authority" not in g:
        g.current_authority = db.session.get(Authority, tenant_context.require_authority_id())
    return g.current_authority
