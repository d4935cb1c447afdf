"""Test helpers: a client that sends the CSRF token itself, sign-in helpers, audit look-ups."""

from __future__ import annotations

import hashlib
import os
import re

import pyotp
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal.clock import utcnow

PASSWORD = "correct horse battery staple"


class PortalClient(FlaskClient):
    """A test client that adds a valid CSRF token to every form POST, as a browser would after loading
    the form. Pass ``csrf=False`` to send a form without one."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if not raw:
                raw = hashlib.sha1(os.urandom(64)).hexdigest()
                session["csrf_token"] = raw
        secret = self.application.config.get("WTF_CSRF_SECRET_KEY") or self.application.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def sign_in(client: PortalClient, user, password: str = PASSWORD, *, totp_secret: str | None = None, follow: bool = False):
    """Sign ``user`` in through the real pages (with the second factor if they have one)."""
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    if totp_secret and response.status_code == 302 and "/sign-in/two-factor" in response.headers["Location"]:
        response = client.post("/sign-in/two-factor", data={"code": next_totp(totp_secret)})
    if follow and response.status_code == 302:
        response = client.get(response.headers["Location"])
    return response


_last_step: dict[str, int] = {}


def next_totp(secret: str) -> str:
    """A code that has not been used yet: the current step, or later ones (accepted within drift)."""
    step = int(utcnow().timestamp() // 30)
    if _last_step.get(secret, -1) >= step:
        step = _last_step[secret] + 1
    _last_step[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def text_of(response) -> str:
    """The visible-ish text of an HTML response, whitespace collapsed (for 'the page says ...' checks)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def audit_events(app, authority_id, action: str | None = None):
    """The audit events of one authority (oldest first), optionally of one action."""
    from portal.audit.models import AuditEvent
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(authority_id):
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            query = query.where(AuditEvent.action == action)
        events = db.session.execute(query).scalars().all()
        db.session.expunge_all()
        return events


def signed_in_client(app, person, *, two_factor: bool = False) -> PortalClient:
    """A fresh client signed in as ``person`` (with their second factor when ``two_factor``)."""
    client = app.test_client()
    response = sign_in(client, person, totp_secret=person.totp_secret if two_factor else None)
    assert response.status_code == 302, f"{person.email} could not sign in"
    return client


def detached_rows(app, model, authority_id, **filters) -> list:
    """Every row of ``model`` in one authority (detached), matching ``column == value`` filters."""
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(authority_id):
        query = select(model)
        for key, value in filters.items():
            query = query.where(getattr(model, key) == value)
        found = db.session.execute(query).unique().scalars().all()
        db.session.expunge_all()
        return found


def sent_statements(app, client, url: str) -> tuple[list[tuple[str, object]], object]:
    """The SQL statements (text and parameters) one GET of ``url`` sends, and the response (which must be a
    200): for the tests of what a page costs and how its queries run."""
    from sqlalchemy import event

    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert response.status_code == 200, url
    return sent, response


def page_queries(app, client, url: str):
    """How many SQL statements one GET of ``url`` costs, and the response (which must be a 200): for the
    query-count tests that check a page does not issue a query per row."""
    sent, response = sent_statements(app, client, url)
    return len(sent), response


def page_plans(app, client, url: str, authority_id, containing: str) -> list[list[str]]:
    """PostgreSQL's plans for the statements one GET of ``url`` sends whose text contains ``containing``:
    each explained with the page's own parameters, in the page's authority, the planner told not to scan a
    table it could read off an index (as it would for a test's few rows). For the tests that check a
    page's query reads an index rather than every row of the authority."""
    from sqlalchemy import text

    from portal.extensions import db

    sent = [(statement, parameters) for statement, parameters in sent_statements(app, client, url)[0] if containing in statement]
    assert sent, f"{url} sent no statement containing {containing!r}"
    with app.app_context():
        engine = db.engine
    plans = []
    with engine.connect() as conn:
        conn.execute(text("SELECT set_config('app.authority_id', :a, true)"), {"a": str(authority_id)})
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        for statement, parameters in sent:
            plans.append([row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)])
        conn.rollback()
    return plans


def duplicate_ids(markup: str) -> list[str]:
    """The ids used more than once in a page (a label, an error summary's link or a skip link would point at
    the wrong element), in the order they first repeat."""
    import re
    from collections import Counter

    counts = Counter(re.findall(r"""\sid=["']([^"']+)["']""", markup))
    return [identifier for identifier, count in counts.items() if count > 1]


def heading_jumps(markup: str) -> list[tuple[int, int]]:
    """Where the main content's headings skip a level going down (an h1 followed by an h3): what a screen
    reader user moving by headings would find missing."""
    import re

    main = re.search(r"<main\b.*?</main>", markup, re.S)
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", main.group(0) if main else markup)]
    return [(before, after) for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]


def title_apart_from_heading(markup: str) -> tuple[str, str] | None:
    """(title, heading) when the page's <title> does not start with its h1 (after "Error: "), the first thing
    a screen reader says of a page and what a person sees must agree; ``None`` when they do."""
    import html
    import re

    def words(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    title = re.search(r"<title>(.*?)</title>", markup, re.S)
    heading = re.search(r"<h1\b[^>]*>(.*?)</h1>", markup, re.S)
    if title is None or heading is None:
        return None
    said = words(title.group(1)).removeprefix("Error: ")
    # A caption inside the h1 (the school, the step) is not the heading's own text.
    own = words(re.sub(r'<span class="govuk-caption-[a-z]+"[^>]*>.*?</span>', " ", heading.group(1), flags=re.S))
    return None if said.startswith(own) else (said, own)


def main_headings(markup: str) -> int:
    """How many level-1 headings the page has (a page has one: its title's)."""
    import re

    return len(re.findall(r"<h1\b", markup))
