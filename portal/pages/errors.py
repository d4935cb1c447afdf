"""Error pages in the GOV.UK style. They never say whether something exists."""

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError

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


def init_error_handlers(app) -> None:
    def _render(code: int, detail: str | None = None):
        title, template = _PAGES[code]
        return render_template(template, title=title, detail=detail), code

    for code in _PAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda exc, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again.")

    @app.errorhandler(500)
    def _server_error(exc):
        from portal.extensions import db

        db.session.rollback()
        return _render(500)
