"""The work of the administration pages: organisations added, changed, archived and restored; people invited,
given and relieved of roles, deactivated and reactivated, unlocked, their two-factor authentication reset;
the authority's settings and the duties it names people for.

Each function changes the session, audits the change and tells the person it concerns, in the request's
transaction, and flushes; the page commits. A change the rules do not allow raises :class:`Refused` before
anything is changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.actions import Action as AccountAction
from portal.accounts.models import Membership, RecoveryCode, Role, User
from portal.accounts.service import invite_user
from portal.accounts.sessions import revoke_sessions
from portal.audit.service import record
from portal.authorities.actions import Action
from portal.authorities.models import Authority, AuthorityDuty, Duty, Organisation, OrganisationKind, SchoolPhase
from portal.clock import utcnow
from portal.extensions import db
from portal.forums import guests
from portal.notifications.service import notify
from portal.policies import visible_query


class Refused(Exception):
    """A change the rules do not allow; its message says why, for the administrator."""


# Organisations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationDetails:
    """What an administrator says about an organisation."""

    name: str
    kind: OrganisationKind
    urn: str | None
    phase: SchoolPhase | None
    contact_email: str | None


def urn_in_use(urn: str, *, except_id: uuid.UUID | None = None) -> bool:
    """Does another organisation of the authority already have this URN (a school has one, and only one)?"""
    query = select(Organisation.id).where(Organisation.urn == urn)
    if except_id:
        query = query.where(Organisation.id != except_id)
    return db.session.execute(query).first() is not None


def _apply(details: OrganisationDetails, organisation: Organisation) -> None:
    organisation.name = details.name
    organisation.kind = details.kind
    organisation.urn = details.urn
    organisation.phase = details.phase
    organisation.contact_email = details.contact_email


def _record_organisation(action: str, organisation: Organisation, details: dict | None = None) -> None:
    record(action, object_type="organisation", object_id=organisation.id, organisation_id=organisation.id, details=details)


def create_organisation(details: OrganisationDetails) -> Organisation:
    """Add an organisation to the authority."""
    organisation = Organisation()
    _apply(details, organisation)
    db.session.add(organisation)
    db.session.flush()
    _record_organisation(Action.ORGANISATION_CREATED, organisation, {"kind": organisation.kind.value})
    return organisation


def update_organisation(organisation: Organisation, details: OrganisationDetails) -> None:
    """Change an organisation (its version is checked when the change is written)."""
    _apply(details, organisation)
    _record_organisation(Action.ORGANISATION_UPDATED, organisation)


def archive_organisation(organisation: Organisation) -> bool:
    """Archive an organisation (its people keep their accounts and roles). Whether it was archived now."""
    if organisation.archived_at is not None:
        return False
    organisation.archived_at = utcnow()
    _record_organisation(Action.ORGANISATION_ARCHIVED, organisation)
    return True


def restore_organisation(organisation: Organisation) -> bool:
    """Bring an archived organisation back. Whether it was restored now."""
    if organisation.archived_at is None:
        return False
    organisation.archived_at = None
    _record_organisation(Action.ORGANISATION_RESTORED, organisation)
    return True


# People and their roles ------------------------------------------------------------------------------


def _record_membership(action: str, membership: Membership) -> None:
    record(
        action,
        object_type="membership",
        object_id=membership.id,
        organisation_id=membership.organisation_id,
        details={"user_id": str(membership.user_id), "role": membership.role.value},
    )


def _membership(user: User, role: Role, organisation: Organisation | None, *, by_id: uuid.UUID) -> Membership:
    membership = Membership(user_id=user.id, role=role, organisation_id=organisation.id if organisation else None, created_by_id=by_id)
    db.session.add(membership)
    db.session.flush()
    _record_membership(Action.MEMBERSHIP_ADDED, membership)
    return membership


def invite(*, email: str, full_name: str, job_title: str | None, role: Role, organisation: Organisation | None, by_id: uuid.UUID) -> User:
    """Make an account for someone new, with their first role, and send them an invitation.

    Each person has one account, in one authority: an address that already has one (here or in any other
    authority, which this authority cannot see) is refused, and the failed insert rolled back."""
    user = User(email=email, full_name=full_name, job_title=job_title, invited_by_id=by_id)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refused("This email address already has an account. Each person has one account, in one authority") from None
    _membership(user, role, organisation, by_id=by_id)
    invite_user(user)
    return user


def add_membership(user: User, role: Role, organisation: Organisation | None, *, by_id: uuid.UUID) -> Membership:
    """Give ``user`` a role (in ``organisation``, or at the authority for an administrator) and tell them."""
    organisation_id = organisation.id if organisation else None
    if any(m.role == role and m.organisation_id == organisation_id for m in user.memberships):
        raise Refused("They already have this role in this organisation")
    membership = _membership(user, role, organisation, by_id=by_id)
    notify(
        user.id, f"You have been given the role {membership.role.label}{where_held(membership)}", link=url_for("dashboard.home"), email=user.status == "active"
    )
    return membership


def where_held(membership: Membership) -> str:
    """Where a role is held, to follow its name in a sentence: " at <organisation>", or nothing for a role
    held at the authority itself."""
    return f" at {membership.organisation.name}" if membership.organisation_id else ""


def is_last_admin(membership: Membership) -> bool:
    """Would removing ``membership`` leave the authority with no active administrator?"""
    if membership.role is not Role.AUTHORITY_ADMIN:
        return False
    # Locked (PostgreSQL), so two administrators removing each other's roles at once cannot both succeed.
    others = db.session.execute(
        select(Membership.id)
        .join(User, (User.id == Membership.user_id) & (User.authority_id == Membership.authority_id))
        .where(Membership.role == Role.AUTHORITY_ADMIN, User.deactivated_at.is_(None), Membership.id != membership.id)
        .with_for_update(of=Membership)
    ).all()
    return not others


def remove_membership(user: User, membership: Membership, *, by_id: uuid.UUID) -> None:
    """Take a role away from ``user``; a partner who no longer holds a partner role leaves the DSL network.

    No administrator removes their own administrator role, and the authority always keeps one."""
    if membership.role is Role.AUTHORITY_ADMIN and user.id == by_id:
        raise Refused("You cannot remove your own administrator role. Ask another authority administrator.")
    if is_last_admin(membership):
        raise Refused("This is the authority's last administrator. Give someone else the role first.")
    _record_membership(Action.MEMBERSHIP_REMOVED, membership)
    user.memberships.remove(membership)
    db.session.flush()
    guests.withdraw_if_no_longer_partner(user, because="partner role removed")


def deactivate_user(user: User) -> bool:
    """Stop ``user`` signing in and end their sessions everywhere. Whether they were deactivated now."""
    if user.deactivated_at is not None:
        return False
    user.deactivated_at = utcnow()
    ended = revoke_sessions(user, "deactivated")
    record(AccountAction.USER_DEACTIVATED, object_type="user", object_id=user.id, details={"sessions_ended": ended})
    guests.withdraw_if_no_longer_partner(user, because="account deactivated")
    return True


def reactivate_user(user: User) -> bool:
    """Let a deactivated person sign in again. Whether they were reactivated now."""
    if user.deactivated_at is None:
        return False
    user.deactivated_at = None
    record(AccountAction.USER_REACTIVATED, object_type="user", object_id=user.id)
    return True


def resend_invitation(user: User) -> bool:
    """Send a new invitation (earlier links stop working), unless they have already made their account."""
    if user.status != "invited":
        return False
    invite_user(user)
    return True


def reset_two_factor(user: User) -> bool:
    """Turn off a person's two-factor authentication (a lost phone): their secret and recovery codes go,
    their sessions end, and they set it up again at their next sign-in. Whether it was on."""
    if not user.two_factor_enabled:
        return False
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    for code in db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).scalars():
        db.session.delete(code)
    ended = revoke_sessions(user, "two_factor_reset")
    record(AccountAction.TWO_FACTOR_RESET, object_type="user", object_id=user.id, details={"sessions_ended": ended})
    notify(
        user.id,
        "Your two-factor authentication was reset by an administrator",
        body="Set it up again the next time you sign in.",
        link=url_for("accounts.two_factor_setup"),
    )
    return True


def unlock_user(user: User) -> bool:
    """End a lockout after too many failed sign-ins. Whether they were locked out."""
    if user.locked_until is None:
        return False
    user.locked_until = None
    user.failed_sign_ins = 0
    record(AccountAction.USER_UPDATED, object_type="user", object_id=user.id, details={"change": "unlocked"})
    return True


# Settings and duties ---------------------------------------------------------------------------------


def change_settings(authority: Authority, *, require_two_factor: bool) -> None:
    """Save the authority's settings, auditing a change (its version is checked when it is written)."""
    before = authority.require_two_factor
    authority.require_two_factor = require_two_factor
    if before != authority.require_two_factor:
        record(Action.SETTINGS_CHANGED, object_type="authority", object_id=authority.id, details={"require_two_factor": authority.require_two_factor})


def assign_duty(user: User, duty: Duty) -> AuthorityDuty:
    """Name ``user`` for one of the authority's duties and tell them. Only active people are named, once each."""
    if user.deactivated_at is not None:
        raise Refused(f"{user.full_name} has been deactivated. Reactivate them first")
    if db.session.execute(visible_query(AuthorityDuty).where(AuthorityDuty.user_id == user.id, AuthorityDuty.duty == duty)).first():
        raise Refused(f"{user.full_name} is already named for this duty")
    assignment = AuthorityDuty(user_id=user.id, duty=duty)
    db.session.add(assignment)
    db.session.flush()
    record(Action.DUTY_ASSIGNED, object_type="authority_duty", object_id=assignment.id, details={"user_id": str(user.id), "duty": duty.value})
    notify(user.id, f"You have been named: {duty.label}", link=url_for("dashboard.home"))
    return assignment


def remove_duty(assignment: AuthorityDuty) -> None:
    """No longer name someone for a duty."""
    record(
        Action.DUTY_REMOVED, object_type="authority_duty", object_id=assignment.id, details={"user_id": str(assignment.user_id), "duty": assignment.duty.value}
    )
    db.session.delete(assignment)
    db.session.flush()


# The audit log ---------------------------------------------------------------------------------------


def audit_log_read(filters: dict[str, str]) -> None:
    """Audit that an administrator read the audit log, and with which filters."""
    record(Action.AUDIT_VIEWED, object_type="audit_log", details=filters)
