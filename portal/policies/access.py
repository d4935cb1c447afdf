"""Fetching one object or refusing: 404 for what the user may not know of, 403 for what they may see but
not do, each refusal audited; reads of sensitive models audited too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

from flask import abort
from flask_login import current_user

from portal.accounts.models import Role
from portal.audit.actions import Action
from portal.audit.service import record, record_now
from portal.extensions import db
from portal.policies.base import policy_for, visible_query

#: A model class, and a page function.
M = TypeVar("M")
View = TypeVar("View", bound=Callable[..., Any])


def object_type_name(model: type) -> str:
    """``AuthorityDuty`` -> ``authority_duty``: the object type written in the audit log."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def get_or_404(model: type[M], object_id: object, *, action: str = "view", options: Sequence[Any] = ()) -> M:
    """Fetch one object the current user may see, or answer 404; then require ``action`` (403).

    Always a query (never the identity map), through the tenant criteria and the model's policy. The
    refusal is audited. A view of a sensitive model is audited. ``options`` are loader options for the
    query (what the page reads of the object's relations, in the same statement).
    """
    try:
        row_id = uuid.UUID(str(object_id))
    except ValueError:
        abort(404)
    policy = policy_for(model)
    query = visible_query(model).where(model.id == row_id)  # type: ignore[attr-defined]
    if options:
        query = query.options(*options)
    result = db.session.execute(query)
    obj: M | None = (result.unique() if options else result).scalar_one_or_none()
    if obj is None:
        record_now(Action.NOT_FOUND, object_type=object_type_name(model), object_id=row_id, details={"action": action})
        abort(404)
    if action != "view":
        require(action, obj)
    elif policy.sensitive:
        record(Action.RECORD_VIEWED, object_type=object_type_name(model), object_id=row_id)
    return obj


def deny_page() -> NoReturn:
    """Answer 403 for a page the current user's roles do not open (audited, with the page's endpoint)."""
    from flask import request

    record_now(Action.ACCESS_DENIED, object_type="page", object_id=None, details={"endpoint": request.endpoint})
    abort(403)


def not_found(object_type: str, object_id: object) -> NoReturn:
    """Answer 404 for an object the current user may not know of (audited, with the page's endpoint)."""
    from flask import request

    record_now(Action.NOT_FOUND, object_type=object_type, object_id=object_id, details={"endpoint": request.endpoint})
    abort(404)


def require(action: str, obj: Any) -> None:
    """Answer 403 (audited) unless the current user may do ``action`` to ``obj``."""
    if not policy_for(type(obj)).allows(current_user, action, obj):
        record_now(Action.ACCESS_DENIED, object_type=object_type_name(type(obj)), object_id=obj.id, details={"action": action})
        abort(403)


def roles_required(*roles: Role) -> Callable[[View], View]:
    """View decorator: signed in, and holding one of ``roles``; otherwise 403 (audited)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask import request

            from portal.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                record_now(Action.ACCESS_DENIED, object_type="page", object_id=None, details={"endpoint": request.endpoint})
                abort(403)
            return view(*args, **kwargs)

        return cast(View, wrapper)

    return decorator
