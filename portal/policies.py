"""Who may see and do what, for every model, in one place.

Tenant isolation (another authority's rows) is automatic and happens below this module
(``tenants``). This module decides need-to-know *inside* an authority: for each model, ``visible(user)``
is a SQL filter of the rows the user may see, and ``allows(user, action, obj)`` says whether they may
do ``action`` to one of them. Every list and fetch in the views goes through :func:`visible_query` or
:func:`get_or_404`, so a page cannot show a row its policy does not allow.

A refusal is audited: an id the user may not see is a 404 (existence is not leaked), a visible object
they may not act on is a 403. Reads of models marked ``sensitive`` are audited too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, select, true

from portal.accounts.models import AccountToken, Membership, RecoveryCode, Role, User, UserSession
from portal.audit.models import AuditEvent
from portal.audit.service import Action, record, record_now
from portal.authorities.models import AuthorityDuty, Organisation
from portal.extensions import db
from portal.notifications.models import Notification, OutboundEmail
from jobs.models import OutboxJob


def is_admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.AUTHORITY_ADMIN)


@dataclass(frozen=True)
class Policy:
    """The rules for one model."""

    #: SQL filter of the rows ``user`` may see (within their authority).
    visible: Callable[[User], ColumnElement[bool]]
    #: ``(user, action, obj) -> bool`` for actions other than viewing.
    allows: Callable[[User, str, object], bool]
    #: Reads are audited (child-level and personal data).
    sensitive: bool = False


def _nobody(user) -> ColumnElement[bool]:
    return false()


def _admin_only(user) -> ColumnElement[bool]:
    return true() if is_admin(user) else false()


def _admin_may(user, action, obj) -> bool:
    return is_admin(user)


def _never(user, action, obj) -> bool:
    return False


POLICIES: dict[type, Policy] = {
    # Organisation names and kinds are not sensitive: every member of the authority may see them
    # (to address a referral, invite a partner). Only an authority administrator manages them.
    Organisation: Policy(visible=lambda user: true(), allows=_admin_may),
    # People's accounts: an administrator sees all of the authority's; anyone else only their own.
    User: Policy(
        visible=lambda user: true() if is_admin(user) else (User.id == user.id),
        allows=lambda user, action, obj: is_admin(user) and not (action in {"deactivate", "remove_admin"} and obj.id == user.id),
        sensitive=True,
    ),
    Membership: Policy(
        visible=lambda user: true() if is_admin(user) else (Membership.user_id == user.id),
        allows=_admin_may,
    ),
    AuthorityDuty: Policy(visible=_admin_only, allows=_admin_may),
    AuditEvent: Policy(visible=_admin_only, allows=_never),
    Notification: Policy(visible=lambda user: Notification.user_id == user.id, allows=lambda user, action, obj: obj.user_id == user.id),
    # Internal records: no page shows them.
    UserSession: Policy(visible=_nobody, allows=_never),
    AccountToken: Policy(visible=_nobody, allows=_never),
    RecoveryCode: Policy(visible=_nobody, allows=_never),
    OutboxJob: Policy(visible=_nobody, allows=_never),
    OutboundEmail: Policy(visible=_nobody, allows=_never),
}


def policy_for(model: type) -> Policy:
    try:
        return POLICIES[model]
    except KeyError:
        raise LookupError(f"No policy for {model.__name__}: add one to portal.policies.POLICIES") from None


def visible_query(model: type, user=None) -> Select:
    """``select(model)`` limited to what ``user`` (default: the current user) may see."""
    user = user if user is not None else current_user
    return select(model).where(policy_for(model).visible(user))


def _type_name(model: type) -> str:
    """``AuthorityDuty`` -> ``authority_duty``: the object type written in the audit log."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def get_or_404(model: type, object_id, *, action: str = "view"):
    """Fetch one object the current user may see, or answer 404; then require ``action`` (403).

    Always a query (never the identity map), through the tenant criteria and the model's policy. The
    refusal is audited. A view of a sensitive model is audited.
    """
    try:
        object_id = uuid.UUID(str(object_id))
    except ValueError:
        abort(404)
    policy = policy_for(model)
    obj = db.session.execute(
        visible_query(model).where(model.id == object_id)
    ).scalar_one_or_none()
    if obj is None:
        record_now(Action.NOT_FOUND, object_type=_type_name(model), object_id=object_id, details={"action": action})
        abort(404)
    if action != "view":
        require(action, obj)
    elif policy.sensitive:
        record(Action.RECORD_VIEWED, object_type=_type_name(model), object_id=object_id)
    return obj


def require(action: str, obj) -> None:
    """Answer 403 (audited) unless the current user may do ``action`` to ``obj``."""
    if not policy_for(type(obj)).allows(current_user, action, obj):
        record_now(Action.ACCESS_DENIED, object_type=_type_name(type(obj)), object_id=obj.id, details={"action": action})
        abort(403)


def roles_required(*roles: Role):
    """View decorator: signed in, and holding one of ``roles``; otherwise 403 (audited)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from flask import request

            from portal.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                record_now(Action.ACCESS_DENIED, object_type="page", object_id=None, details={"endpoint": request.endpoint})
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
