"""The database going away in the middle of a request (a restart, a fail-over, connections run out): the
person sees the GOV.UK "service unavailable" page with a 503, and nothing of what they were doing is
half-saved — neither the concern nor its audit row nor its notification — while what was saved before
stays. Once the database answers again the same form goes through."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from portal.concerns.models import Concern
from portal.notifications.models import Notification
from portal.pupils.models import Pupil
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import audit_events, detached_rows, signed_in_client


class _GoneAway(Exception):
    """What a driver raises when the server closes the connection."""


@pytest.mark.parametrize("failing", ["INSERT INTO audit_events", "INSERT INTO notifications"])
def test_a_form_sent_as_the_database_goes_away_saves_nothing_and_says_so(app, world, failing):
    from portal.extensions import db

    pupil_id = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    before = len(audit_events(app, world.a.authority_id))

    def go_away(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(failing.upper()):
            raise OperationalError(statement[:40], parameters, _GoneAway("server closed the connection unexpectedly"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", go_away)
    try:
        response = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form())
    finally:
        event.remove(engine, "before_cursor_execute", go_away)

    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in page and "What you were doing has not been saved" in page
    assert detached_rows(app, Concern, world.a.authority_id) == []
    assert detached_rows(app, Notification, world.a.authority_id) == []
    assert len(audit_events(app, world.a.authority_id)) == before
    assert len(detached_rows(app, Pupil, world.a.authority_id)) == 1  # what was saved before stays

    # The database answers again: the same form goes through, once.
    again = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form())
    assert again.status_code == 302
    assert len(detached_rows(app, Concern, world.a.authority_id)) == 1
