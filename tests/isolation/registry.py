"""The isolation registry: every route that takes an id declares here how to reach one object through
it, who may use it, and who must be refused. ``test_isolation.py`` turns each declaration into tests;
a route with an id and no declaration fails the suite (``test_every_route_with_an_id_is_declared``).

Add a declaration the day a route is written.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.isolation.route import RouteIsolation

ADMIN_REFUSED = ("staff1", "dsl1", "dsl2", "head1", "governor1", "front_door", "assessor", "partner")


# Target builders ---------------------------------------------------------------------------------


def _school(app, side):
    return {"organisation_id": side.school1}


def _dsl_user(app, side):
    return {"user_id": side.dsl1.id}


def _dsl_membership(app, side):
    from portal.accounts.models import Membership
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        membership_id = db.session.execute(select(Membership.id).where(Membership.user_id == side.dsl1.id)).scalar_one()
    return {"user_id": side.dsl1.id, "membership_id": membership_id}


def _duty(app, side):
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        duty = AuthorityDuty(user_id=side.dsl1.id, duty=Duty.NETWORK_LEAD)
        db.session.add(duty)
        db.session.commit()
        return {"duty_id": duty.id}


def _dsl_notification(app, side):
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        notification = Notification(user_id=side.dsl1.id, title="Your referral was acknowledged", link="/home")
        db.session.add(notification)
        db.session.commit()
        return {"notification_id": notification.id}


def _organisation_form(app, side):
    return {"name": "Renamed school", "kind": "school", "urn": "", "phase": "primary", "contact_email": "", "version": "1"}


def _membership_form(app, side):
    return {"organisation": str(side.school2), "role": "staff"}


def _admin(endpoint, method, target, data=None):
    return RouteIsolation(endpoint, method, "admin", target, ADMIN_REFUSED, data)


REGISTRY: list[RouteIsolation] = [
    _admin("admin.organisation_edit", "GET", _school),
    _admin("admin.organisation_edit", "POST", _school, _organisation_form),
    _admin("admin.organisation_archive", "POST", _school),
    _admin("admin.organisation_restore", "POST", _school),
    _admin("admin.user_detail", "GET", _dsl_user),
    _admin("admin.membership_new", "GET", _dsl_user),
    _admin("admin.membership_new", "POST", _dsl_user, _membership_form),
    _admin("admin.membership_remove", "POST", _dsl_membership),
    _admin("admin.user_deactivate", "POST", _dsl_user),
    _admin("admin.user_reactivate", "POST", _dsl_user),
    _admin("admin.user_resend_invitation", "POST", _dsl_user),
    _admin("admin.user_reset_two_factor", "POST", _dsl_user),
    _admin("admin.user_unlock", "POST", _dsl_user),
    _admin("admin.duty_remove", "POST", _duty),
    RouteIsolation("notifications.open", "GET", "dsl1", _dsl_notification, refused=("admin", "head1"), other_school=("dsl2", "staff1")),
]

#: Routes with arguments that are not ids of tenant objects, and where their isolation is tested.
EXEMPT = {
    "static": "files of the portal itself",
    "govuk_assets": "GOV.UK Frontend's fonts and images",
    "accounts.password_reset": "a one-time token, not an id: tests/accounts (single use, expiry, looked up only in its own authority)",
    "accounts.accept_invitation": "a one-time token, not an id: tests/accounts (single use, expiry, looked up only in its own authority)",
}

#: Pages without an id that only some roles may open: (endpoint, method) -> roles allowed.
ROLE_GATED_PAGES = {
    ("admin.organisations", "GET"): ("admin",),
    ("admin.organisation_new", "GET"): ("admin",),
    ("admin.users", "GET"): ("admin",),
    ("admin.user_invite", "GET"): ("admin",),
    ("admin.settings", "GET"): ("admin",),
    ("admin.duty_add", "POST"): ("admin",),
    ("admin.audit_log", "GET"): ("admin",),
}


#: Pages anyone may open without signing in (endpoint -> why).
PUBLIC_PAGES = {
    "pages.accessibility": "the accessibility statement",
    "pages.privacy": "the privacy notice",
    "pages.cookies": "the cookies page",
    "dashboard.index": "the address of the service: it sends a visitor to sign in, or a signed-in person home",
    "accounts.sign_in": "signing in",
    "accounts.sign_in_two_factor": "the second step of signing in (it needs the first step's password, in the session)",
    "accounts.sign_in_recovery": "the second step with a recovery code (it needs the first step's password, in the session)",
    "accounts.password_reset_request": "asking for a password reset email (the same answer whether or not the address has an account)",
    "pages.healthz": "the load balancer's liveness check (reads nothing)",
    "pages.readyz": "the load balancer's readiness check (says only whether the database and Redis answer)",
}

#: Pages without an id open to every signed-in person (endpoint -> why): each shows only what that person's
#: policies allow, or concerns only their own account.
SIGNED_IN_PAGES = {
    "dashboard.home": "everyone's home page, made for their roles",
    "notifications.index": "the person's own notifications",
    "notifications.read_all": "marks the person's own notifications read",
    "accounts.account": "the person's own account",
    "accounts.change_password": "the person's own password",
    "accounts.two_factor_setup": "the person's own second factor",
    "accounts.sign_out": "signing out",
    "meetings.index": "lists only the partnership meetings the person's policies show (none for most school staff)",
}


# Each feature declares its routes in a file of its own here, registry_<name>.py, found by its name.
def _feature_registries():
    import importlib
    import pkgutil

    import tests.isolation as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("registry_"):
            yield importlib.import_module(f"tests.isolation.{info.name}")


for _module in _feature_registries():
    REGISTRY.extend(_module.ENTRIES)
    EXEMPT.update(_module.EXEMPT)
    ROLE_GATED_PAGES.update(_module.ROLE_GATED_PAGES)
