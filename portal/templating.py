"""Template helpers: the header's authority name and navigation, dates in UK time, the unread count."""

from __future__ import annotations

from flask import has_request_context, request, url_for
from flask_login import current_user

from portal.clock import UK, uk_date, uk_datetime, uk_today  # noqa: F401  (template filters)

SERVICE_NAME = "Safeguarding Partnership Portal"


def _signed_in() -> bool:
    """Is this a request by a signed-in user? (Emails are rendered in jobs, outside any request.)"""
    return has_request_context() and current_user is not None and current_user.is_authenticated


def navigation_items() -> list[dict]:
    """The service navigation for the signed-in user: every feature's menu entries they may see."""
    if not _signed_in():
        return []
    from flask import current_app
    from markupsafe import escape

    from portal.accounts.sessions import current_authority
    from portal.features import menu_entries

    if current_authority().require_two_factor and not current_user.two_factor_enabled:
        return []  # every page but the set-up page is closed to them until they enrol
    endpoint = request.endpoint or ""
    items = []
    for entry in menu_entries():
        if entry.endpoint not in current_app.view_functions or not entry.shown(current_user):
            continue
        item = {"href": url_for(entry.endpoint), "active": entry.is_current(endpoint)}
        count = entry.count(current_user) if entry.count else 0
        if count:
            item["html"] = (
                f'{escape(entry.text)} <span class="app-count-badge">{count}<span class="govuk-visually-hidden"> {escape(entry.count_label)}</span></span>'
            )
        else:
            item["text"] = entry.text
        items.append(item)
    return items


def init_templating(app) -> None:
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["uk_date"] = uk_date
    app.jinja_env.globals["navigation_items"] = navigation_items
    from portal.uploads import ALLOWED, size_label

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
