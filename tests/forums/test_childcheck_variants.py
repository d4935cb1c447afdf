"""The identifiable-child check against the ways a name, a UPN or a date of birth can be typed to slip
past it — invisible characters, HTML entities, Markdown, spelt-out letters, the name in either order,
separators in a UPN, a date with spaces or in words — each stopped and shown as typed; and ordinary
writing that must stay allowed."""

from __future__ import annotations

import pytest

from tests.forums.test_childcheck import check, frozen_today, pupils  # noqa: F401 (fixtures)

# (what is typed, the kind of match expected: "name", "upn", "date_of_birth", or None for allowed)
VARIANTS = [
    # Names of pupils on the poster's register (Jordan Example; Oluwaseun "Seun" Adeyemi; Mary-Jane O'Brien).
    ("Example Jordan", "name"),
    ("EXAMPLE jordan", "name"),
    ("Adeyemi Seun", "name"),
    ("Jor\u200bdan Example", "name"),  # a zero-width space inside the forename
    ("Jordan Exam\u00adple", "name"),  # a soft hyphen
    ("Jordan\u2060Example", "name"),  # a word joiner between the words
    ("\ufeffJordan Example", "name"),
    ("Jordan&nbsp;Example", "name"),
    ("Jordan&#32;Example", "name"),
    ("Jordan&#x20;Example", "name"),
    ("[Jordan](https://example.org) Example", "name"),
    ("**Jordan** Example", "name"),
    ("*Jor*dan _Example_", "name"),
    ("Jordan_Example", "name"),
    ("`Jordan` ~~Example~~", "name"),
    ("J o r d a n  E x a m p l e", "name"),
    ("J o r d a n E x a m p l e", "name"),
    ("J.O.R.D.A.N E.X.A.M.P.L.E", "name"),
    ("J-o-r-d-a-n E-x-a-m-p-l-e", "name"),
    ("\uff2a\uff4f\uff52\uff44\uff41\uff4e \uff25\uff58\uff41\uff4d\uff50\uff4c\uff45", "name"),  # full-width letters
    ("Jordan\u00a0Example", "name"),
    ("Mary Jane O'Brien", "name"),
    # UPNs.
    ("A 1234 5678 9012", "upn"),
    ("A-1234-5678-9012", "upn"),
    ("A123 456 789 012", "upn"),
    ("a1234.5678.9012", "upn"),
    ("A123\u200b456789012", "upn"),
    ("&#65;123456789012", "upn"),
    # Dates of birth.
    ("03 / 04 / 2014", "date_of_birth"),
    ("3 - 4 - 2014", "date_of_birth"),
    ("the third of April 2014", "date_of_birth"),
    ("3 April two thousand and fourteen", "date_of_birth"),
    ("the twenty-first of May twenty fifteen", "date_of_birth"),
    ("April the third, 2014", "date_of_birth"),
    ("03&#47;04&#47;2014", "date_of_birth"),
    ("DOB: 3.4.14", "date_of_birth"),
    ("born on the 3rd of April 2014", "date_of_birth"),
    # Allowed: typos beyond one, a name alone, someone not on the register, no year, too few digits, a
    # phone number, a version number, a recent date, a surname in emphasis alone.
    ("Jordn Exmple", None),
    ("Kai Lee", None),
    ("Jordan was late", None),
    ("the **Example** family", None),
    ("J. Smith from the front door", None),
    ("Ava said hello", None),
    ("3 April", None),
    ("the third of April", None),
    ("A12345678901", None),
    ("call 0300 123 4567", None),
    ("version 1.2.3.2014", None),
    ("on 14 May 2026 we met", None),
    ("the e x a m p l e letter", None),
]


def test_the_table_has_at_least_forty_variants():
    assert len(VARIANTS) >= 40
    assert sum(1 for _, kind in VARIANTS if kind is None) >= 10


@pytest.mark.parametrize("typed, kind", VARIANTS, ids=[repr(v[0])[1:-1][:40] for v in VARIANTS])
def test_each_variant_is_stopped_or_allowed_and_shown_as_typed(app, pupils, typed, kind):  # noqa: F811
    a = pupils.a
    post = f"Has anyone dealt with {typed} before?"
    matches = check(app, a, post, {a.school1})
    if kind is None:
        assert matches == [], [(m.kind, m.text) for m in matches]
        return
    assert [m.kind for m in matches] == [kind], [(m.kind, m.text) for m in matches]
    # What matched is shown exactly as typed (the poster sees what to change).
    assert matches[0].text in post
    assert matches[0].text.strip("*_`~[]") and set(matches[0].text) <= set(post)
