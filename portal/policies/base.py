"""The mechanism: a ``Policy`` per model (a SQL filter of what a user may see, and what they may do to one
row), the registry the features fill, and the small pieces every feature's rows are made of."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, select, true

from portal.accounts.models import Role

#: A user as the policies see one: the signed-in ``User`` or flask-login's anonymous user.
Person = Any
#: What a model's ``visible`` is: the SQL filter of the rows a person may see.
Visibility = Callable[[Person], ColumnElement[bool]]
#: What a model's ``allows`` is: whether a person may do an action to one row.
Permission = Callable[[Person, str, Any], bool]


def is_admin(user: Person) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.AUTHORITY_ADMIN))


@dataclass(frozen=True)
class Policy:
    """The rules for one model."""

    #: SQL filter of the rows ``user`` may see (within their authority).
    visible: Visibility
    #: ``(user, action, obj) -> bool`` for actions other than viewing.
    allows: Permission
    #: Reads are audited (child-level and personal data).
    sensitive: bool = False


def nobody(user: Person) -> ColumnElement[bool]:
    return false()


def admin_only(user: Person) -> ColumnElement[bool]:
    return true() if is_admin(user) else false()


def admin_may(user: Person, action: str, obj: Any) -> bool:
    return is_admin(user)


def never(user: Person, action: str, obj: Any) -> bool:
    return False


def within(column: Any, ids: Collection[Any]) -> ColumnElement[bool]:
    """``column IN ids``, or nothing at all for no ids."""
    condition: ColumnElement[bool] = column.in_(sorted(ids)) if ids else false()
    return condition


def child_of(parent_column: Any, parent_model: type) -> Visibility:
    """Visible when the parent row is visible (a thread's messages, a referral's transitions)."""

    def visible(user: Person) -> ColumnElement[bool]:
        parents = select(parent_model.id).where(policy_for(parent_model).visible(user))  # type: ignore[attr-defined]
        condition: ColumnElement[bool] = parent_column.in_(parents)
        return condition

    return visible


# The registry: each feature declares its rows (its ``policy.py``, ``POLICIES``); create_app registers them.

_POLICIES: dict[type, Policy] = {}


def register(policies: Mapping[type, Policy]) -> None:
    """Add a feature's rows. The same row twice is fine (an app built again); two rows for a model are not."""
    for model, policy in policies.items():
        known = _POLICIES.get(model)
        if known is not None and known is not policy:
            raise ValueError(f"Two policies for {model.__name__}: each model has one, in the policy.py of the feature that owns it")
        _POLICIES[model] = policy


def registered() -> Mapping[type, Policy]:
    """Every model with a policy, and its policy."""
    return dict(_POLICIES)


def policy_for(model: type) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No policy for {model.__name__}: add one to the POLICIES of its feature's policy.py") from None


def visible_query(model: type, user: Person | None = None) -> Select[Any]:
    """``select(model)`` limited to what ``user`` (default: the current user) may see."""
    user = user if user is not None else current_user
    return select(model).where(policy_for(model).visible(user))
