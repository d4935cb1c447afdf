"""Text with hidden control characters (a NUL above all, which PostgreSQL refuses) is refused next to the
field it was typed into, on every form of the portal (they share one form base), and nothing is saved."""

from __future__ import annotations

import pytest

from forms import CONTROL_CHARACTER_MESSAGE
from tests.admin.pages import field_error
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import detached_rows, signed_in_client

PUPIL = {"legal_forename": "Amira", "legal_surname": "Sample", "preferred_name": "", "date_of_birth": ["2", "9", "2013"], "year_group": "8", "upn": ""}


@pytest.mark.parametrize("hidden", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
def test_a_control_character_in_a_name_is_refused_next_to_the_field(app, world, hidden):
    from portal.pupils.models import Pupil

    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post("/pupils/new", data={**PUPIL, "legal_forename": f"Ami{hidden}ra"})
    assert response.status_code == 200
    assert field_error(response, "legal_forename") == CONTROL_CHARACTER_MESSAGE
    assert field_error(response, "legal_surname") is None
    assert detached_rows(app, Pupil, world.a.authority_id) == []


def test_a_nul_in_a_long_text_and_in_a_date_box_is_refused_and_tabs_and_new_lines_are_not(app, world):
    from portal.concerns.models import Concern

    pupil_id = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    response = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form(seen_or_heard="Said\x00 nothing"))
    assert field_error(response, "seen_or_heard") == CONTROL_CHARACTER_MESSAGE
    form = concern_form()
    form["occurred_on"] = [form["occurred_on"][0] + "\x00", *form["occurred_on"][1:]]
    response = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=form)
    assert response.status_code == 200 and detached_rows(app, Concern, world.a.authority_id) == []
    saved = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form(seen_or_heard="Line one\r\n\tLine two"))
    assert saved.status_code == 302
    [concern] = detached_rows(app, Concern, world.a.authority_id)
    assert "Line two" in concern.seen_or_heard
