"""Template helpers: the header's authority name and navigation, dates in UK time, the unread count."""

from __future__ import annotations

from flask import has_request_context, request, url_for
from flask_login import current_user

from portal.clock import UK, uk_date, uk_datetime, uk_today  # noqa: F401  (template filters)

SERVICE_NAME = "Safeguarding Partnership Portal"


def _signed_in() -> bool:
    """Is this a request by a signed-in user? (Emails are rendered in jobs, outside any request.)"""
    return has_request_context() and current_user is not None and current_user.is_authenticated


def _panel_member() -> bool:
    from portal.authorities.models import Duty
    from portal.policies import has_duty

    return has_duty(current_user, Duty.CONTEXT_PANEL_MEMBER)


def navigation_items() -> list[dict]:
    """The service navigation for the signed-in user, by role."""
    if not _signed_in():
        return []
    from portal.accounts.models import Role
    from portal.accounts.sessions import current_authority
    from portal.notifications.service import unread_count

    if current_authority().require_two_factor and not current_user.two_factor_enabled:
        return []  # every page but the set-up page is closed to them until they enrol

    endpoint = request.endpoint or ""
    items = [{"text": "Home", "href": url_for("dashboard.home"), "active": endpoint == "dashboard.home"}]
    unread = unread_count(current_user.id)
    label = "Notifications"
    items.append(
        {
            "html": f'{label} <span class="app-count-badge">{unread}<span class="govuk-visually-hidden"> unread</span></span>' if unread else label,
            "href": url_for("notifications.index"),
            "active": endpoint.startswith("notifications."),
        }
    )
    from flask import current_app

    def _page(text: str, endpoint: str, prefix: str) -> None:
        if endpoint in current_app.view_functions:
            items.append({"text": text, "href": url_for(endpoint), "active": endpoint_active(prefix)})

    def endpoint_active(prefix: str) -> bool:
        return any(endpoint.startswith(p) for p in prefix.split())

    if current_user.has_role(Role.DSL, Role.HEAD):
        _page("Pupils", "pupils.index", "pupils. casework.chronology casework.export")
        _page("Concerns", "concerns.index", "concerns.")
        _page("Advice", "advice.index", "advice.index advice.new advice.detail")
        _page("Referrals", "referrals.index", "referrals.index referrals.new referrals.edit referrals.detail")
    elif current_user.has_role(Role.STAFF):
        _page("Concerns", "concerns.index", "concerns.")
    if current_user.has_role(Role.FRONT_DOOR):
        _page("Referral queue", "referrals.queue", "referrals.queue")
        _page("Advice queue", "advice.queue", "advice.queue")
    # Contextual safeguarding: schools, social care and partners (each list shows only what they may see).
    if current_user.has_role(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER):
        _page("Context referrals", "contexts.index", "contexts.index contexts.new contexts.detail contexts.decide")
        _page("Summits", "summits.index", "summits. maps.")
        _page("Partnership meetings", "meetings.index", "meetings.")
        _page("School assessments", "assessments.index", "assessments.")
    from portal.assessments.dashboard import may_open as _runs_assessments

    if _runs_assessments(current_user):  # assessors, front-door managers, context panel members
        _page("Assessor's dashboard", "assessments.dashboard", "assessments.dashboard")
        if endpoint == "assessments.dashboard":  # the current page is the dashboard, not the list
            for item in items:
                if item.get("text") == "School assessments":
                    item["active"] = False
    from portal.policies import forum_member

    if forum_member(current_user):  # DSLs, heads, social care, the network lead and invited partners
        _page("DSL network", "forums.index", "forums.")
    if current_user.has_role(Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER) or _panel_member():
        _page("Context panel", "contexts.panel", "contexts.panel")
    if current_user.has_role(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER, Role.AUTHORITY_ADMIN):
        _page("Dashboard", "dashboard.figures", "dashboard.figures")
    if current_user.has_role(Role.HEAD, Role.GOVERNOR):  # the school's own self-reviews
        _page("Self-review", "selfreview.index", "selfreview.index selfreview.review selfreview.answer selfreview.plan selfreview.action_edit selfreview.compare")
        _page("Governor report", "selfreview.governor_start", "selfreview.governor_start selfreview.governor_report selfreview.assurance_dates")
    if current_user.has_role(Role.AUTHORITY_ADMIN):  # counts across schools, never a school's notes
        _page("Self-review across schools", "selfreview.distribution", "selfreview.distribution")
    if current_user.has_role(Role.AUTHORITY_ADMIN):
        items += [
            {"text": "Organisations", "href": url_for("admin.organisations"), "active": endpoint.startswith("admin.organisation")},
            {"text": "Users", "href": url_for("admin.users"), "active": endpoint.startswith("admin.user") or endpoint.startswith("admin.membership")},
            {"text": "Settings", "href": url_for("admin.settings"), "active": endpoint.startswith("admin.setting") or endpoint.startswith("admin.dut")},
            {"text": "Audit log", "href": url_for("admin.audit_log"), "active": endpoint.startswith("admin.audit")},
        ]
    items.append({"text": "Your account", "href": url_for("accounts.account"), "active": endpoint in {"accounts.account", "accounts.change_password", "accounts.two_factor_setup"}})
    return items


def init_templating(app) -> None:
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["uk_date"] = uk_date
    app.jinja_env.globals["navigation_items"] = navigation_items
    from portal.casework.attachments import ALLOWED, size_label

    app.jinja_env.filters["file_size"] = size_label
    # For links to pages of another module: ``{% if page_exists('referrals.new') %}``.
    app.jinja_env.globals["page_exists"] = lambda endpoint: endpoint in app.view_functions
    app.jinja_env.filters["attachment_kind"] = lambda mime: ALLOWED.get(mime, "file")
    from portal.accounts.models import Role

    app.jinja_env.globals["role_descriptions"] = {r.value: r.description for r in Role}
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _portal_globals():
        authority_name = None
        if _signed_in():
            from portal.accounts.sessions import current_authority

            authority_name = current_authority().name
        return {"service_name": SERVICE_NAME, "authority_name": authority_name}
