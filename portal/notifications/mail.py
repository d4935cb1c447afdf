"""Sending email: SMTP in production; a folder of ``.eml`` files in development and tests."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.models import OutboundEmail


def _message(to: str, subject: str, text_body: str, html_body: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="portal")
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message


def _deliver(message: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "file":
        folder = Path(current_app.config["MAIL_FILE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"
        (folder / name).write_bytes(bytes(message))
    elif backend == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    else:
        raise RuntimeError(f"Unknown MAIL_BACKEND {backend!r}")


def send_templated(*, to: str, subject: str, template: str, user_id: uuid.UUID | None = None, **context) -> OutboundEmail:
    """Render ``emails/<template>.txt`` (and ``.html`` if present), send it, and record that it was sent.

    Called from jobs only, inside the tenant context of the recipient's authority.
    """
    text_body = render_template(f"emails/{template}.txt", **context)
    html_body = render_template(f"emails/{template}.html", **context) if _has_template(f"emails/{template}.html") else None
    _deliver(_message(to, subject, text_body, html_body))
    sent = OutboundEmail(user_id=user_id, to_address=to, subject=subject, template=template, sent_at=utcnow())
    db.session.add(sent)
    return sent


def _has_template(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
        return True
    except TemplateNotFound:
        return False


def read_mailbox(folder: str | Path) -> list[EmailMessage]:
    """The messages in a file-backend folder, oldest first (development and tests)."""
    from email import policy
    from email.parser import BytesParser

    paths = sorted(Path(folder).glob("*.eml"))
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in paths]


def external_url(endpoint: str, **values) -> str:
    """The full address of a page, for an email. Built from the URL map, not from a (fake) request:
    a job has no request, and pushing one would run the request hooks on the job's session."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("portal.invalid").build(endpoint, values)
