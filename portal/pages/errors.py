"""Error pages in the GOV.UK style. They never say whether something exists."""

import logging

from flask import abort, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

log = logging.getLogger("portal.errors")

_PAGES = {
    400: ("Sorry, there is a problem with that request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with that request", "errors/400.html"),
    410: ("This link cannot be used", "errors/404.html"),
    413: ("The file is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def _signed_in_user_attached() -> None:
    """The error page's navigation reads the signed-in person's roles. A view that worked in another
    tenant scope (a tablet's map link, a one-time file link) ended with the request's session closed, so
    the person loaded for the request is detached: load them again in the request's own scope, so that the
    page never fails on a lazy load."""
    from flask import g
    from flask_login import current_user
    from sqlalchemy import inspect

    from portal.extensions import db

    if not current_user.is_authenticated:
        return
    person = current_user._get_current_object()
    if inspect(person).detached:
        g._login_user = db.session.merge(person)


def _refuse_control_characters() -> None:
    """An address with a control character in it (a NUL above all, which PostgreSQL refuses) names
    nothing: 404 for one in the path (a slug, an id, a token), 400 for one in the query (a search, a
    filter), before any view reads it."""
    from forms import CONTROL_CHARACTERS

    if CONTROL_CHARACTERS.search(request.path):
        abort(404)
    if any(CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value) for key, value in request.args.items(multi=True)):
        abort(400)


def init_error_handlers(app) -> None:
    app.before_request(_refuse_control_characters)

    def _render(code: int, detail: str | None = None):
        title, template = _PAGES[code]
        try:
            _signed_in_user_attached()
        except Exception:  # the error page must render whatever happened before it
            log.exception("Could not load the signed-in person again for the error page")
        return render_template(template, title=title, detail=detail), code

    for code in _PAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda exc, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again.")

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc):
        """The database did not answer (it restarted, failed over, or its connections ran out): the
        GOV.UK "service unavailable" page with a 503. The request's transaction is rolled back, so nothing
        is half-saved. The page is drawn without asking the database anything (no navigation, no
        authority name: they would need it)."""
        from flask_login import AnonymousUserMixin

        from portal.extensions import db
        from portal.templating import SERVICE_NAME

        log.error("The database did not answer: %s", type(exc.orig).__name__ if getattr(exc, "orig", None) else type(exc).__name__)
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone: the pool replaces it
            log.warning("Could not roll back after the database failed", exc_info=True)
        page = app.jinja_env.get_template("errors/503.html").render(
            title="Sorry, the service is unavailable", service_name=SERVICE_NAME, authority_name=None, current_user=AnonymousUserMixin()
        )
        response = make_response(page, 503)
        response.headers.setdefault("Retry-After", "30")
        return response

    @app.errorhandler(500)
    def _server_error(exc):
        from portal.extensions import db

        db.session.rollback()
        return _render(500)
