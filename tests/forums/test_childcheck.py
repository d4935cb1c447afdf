"""The identifiable-child check a forum post goes through before it is saved: names of pupils on the
poster's own school registers (with a typo, an initial, a possessive), dates that look like a date of
birth, and UPN-shaped identifiers; never a pupil of another school or another authority."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.clock import utcnow
from portal.pupils.childcheck import BORN_REASON, DATE_REASON, NAME_REASON, NEAR_NAME_REASON, UPN_REASON, Match, find_matches
from tests.factories import _scope, make_pupil

#: "Today" in the UK for the date checks.
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("portal.pupils.childcheck.uk_today", lambda: TODAY)


@pytest.fixture
def pupils(app, world):
    """Pupils of Avonford Primary (school1), one of Avonford High (school2) and one in the other
    authority, Brackley."""
    a, b = world.a, world.b
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    make_pupil(app, a, legal_forename="Oluwaseun", legal_surname="Adeyemi", preferred_name="Seun", upn="A123456789012")
    make_pupil(app, a, legal_forename="Mary-Jane", legal_surname="O'Brien")
    make_pupil(app, a, legal_forename="Kai", legal_surname="Li")
    make_pupil(app, a, legal_forename="Ava", legal_surname="Thornton")
    make_pupil(app, a, legal_forename="Grace", legal_surname="Holloway", left_at=utcnow() - timedelta(days=365))
    make_pupil(app, a, legal_forename="Ellis", legal_surname="Whitmore", left_at=utcnow() - timedelta(days=3 * 365))
    make_pupil(app, a, school="school2", legal_forename="Priya", legal_surname="Sharma")
    make_pupil(app, b, legal_forename="Callum", legal_surname="Fraser")
    return world


def check(app, side, text: str, school_ids, by: str = "dsl1") -> list[Match]:
    """The check as the posting page runs it: inside the poster's authority, for their own schools."""
    with _scope(app, side, side.people[by]):
        return find_matches(text, set(school_ids))


def names(matches) -> list[str]:
    return [m.text for m in matches if m.kind == "name"]


# ---------------------------------------------------------------------------------------------- names


def test_a_pupils_full_name_is_stopped_with_the_words_typed_and_a_reason_that_names_no_one(app, pupils):
    a = pupils.a
    post = "We spoke to Jordan Example about the group chat."
    assert check(app, a, post, {a.school1}) == [Match("name", "Jordan Example", NAME_REASON)]
    assert "Jordan" not in NAME_REASON and "Example" not in NAME_REASON


@pytest.mark.parametrize("typed", ["JORDAN EXAMPLE", "jordan example", "Jordan  example", "jordan\nExample"])
def test_a_name_matches_in_any_case_and_spacing(app, pupils, typed):
    a = pupils.a
    assert names(check(app, a, f"Has anyone met {typed} before?", {a.school1})) == [typed]


@pytest.mark.parametrize(
    "typed, matched",
    [
        ("Jordan Example's mum rang.", "Jordan Example"),
        ("Jordan Example’s mum rang.", "Jordan Example"),
        ("JORDAN EXAMPLE'S mum rang.", "JORDAN EXAMPLE"),
        ("Mary-Jane O'Brien's sister", "Mary-Jane O'Brien"),
    ],
)
def test_a_possessive_still_matches_and_the_match_is_the_name_as_typed(app, pupils, typed, matched):
    a = pupils.a
    assert names(check(app, a, typed, {a.school1})) == [matched]
    assert matched in typed


@pytest.mark.parametrize("typed", ["Jordon Example", "Jordan Exampel", "Jordan Exmple", "Jordan Examplee", "Oluwaseun Adeyemy"])
def test_a_one_letter_typo_in_a_longer_name_still_matches(app, pupils, typed):
    a = pupils.a
    assert check(app, a, f"About {typed}: any advice?", {a.school1}) == [Match("name", typed, NEAR_NAME_REASON)]


@pytest.mark.parametrize("typed", ["Jordn Exmple", "Jordan Exampleses", "Kay Li", "Kai Lee"])
def test_two_typos_or_any_typo_in_a_short_name_is_not_a_match(app, pupils, typed):
    a = pupils.a
    assert check(app, a, f"About {typed}: any advice?", {a.school1}) == []
    assert names(check(app, a, "About Kai Li: any advice?", {a.school1})) == ["Kai Li"]


@pytest.mark.parametrize("typed", ["J. Example", "J Example", "J.Example", "j example", "O. Adeyemi", "S Adeyemi", "A. Thornton"])
def test_an_initial_and_surname_matches(app, pupils, typed):
    a = pupils.a
    assert check(app, a, f"I think {typed} is in Year 6.", {a.school1}) == [Match("name", typed, NEAR_NAME_REASON)]


@pytest.mark.parametrize(
    "post",
    [
        "K. Example joined in September.",  # wrong initial
        "A Thornton cousin collects her.",  # "A" the word, not an initial
        "spoke to a Thornton family member",
        "We use scripts, e.g. Example letters to parents.",  # the g of "e.g." is no initial
    ],
)
def test_an_initial_that_is_not_the_pupils_is_not_a_match(app, pupils, post):
    a = pupils.a
    assert check(app, a, post, {a.school1}) == []


@pytest.mark.parametrize(
    "post",
    [
        "Jordan was late again today.",
        "The Example family have moved.",
        "Jordan, and later an example of good practice.",
        "Seun said that Adeyemi is a common name.",
        "Grace was shown to all.",
    ],
)
def test_a_forename_or_surname_alone_is_not_a_match(app, pupils, post):
    a = pupils.a
    assert check(app, a, post, {a.school1}) == []


def test_the_preferred_name_and_the_legal_name_both_match(app, pupils):
    a = pupils.a
    post = "Seun Adeyemi (legal name Oluwaseun Adeyemi) was upset."
    assert names(check(app, a, post, {a.school1})) == ["Seun Adeyemi", "Oluwaseun Adeyemi"]


@pytest.mark.parametrize("typed", ["Mary-Jane O'Brien", "Mary Jane OBrien", "mary-jane o’brien", "Mary O'Brien"])
def test_hyphens_and_apostrophes_in_names(app, pupils, typed):
    a = pupils.a
    assert names(check(app, a, f"Re {typed}.", {a.school1})) == [typed]


def test_the_surname_first_matches_with_or_without_the_registers_comma(app, pupils):
    a = pupils.a
    assert names(check(app, a, "From our MIS: EXAMPLE, Jordan (Year 6)", {a.school1})) == ["EXAMPLE, Jordan"]
    assert names(check(app, a, "The talk Example Jordan gave was good", {a.school1})) == ["Example Jordan"]


def test_a_recent_leaver_matches_but_one_who_left_years_ago_does_not(app, pupils):
    a = pupils.a
    assert names(check(app, a, "Grace Holloway and Ellis Whitmore", {a.school1})) == ["Grace Holloway"]


def test_a_pupil_of_another_school_matches_only_when_that_school_is_the_posters(app, pupils):
    a = pupils.a
    post = "Priya Sharma moved to us from the high school."
    assert check(app, a, post, {a.school1}) == []
    assert names(check(app, a, post, {a.school2}, by="dsl2")) == ["Priya Sharma"]
    assert names(check(app, a, post, {a.school1, a.school2}, by="dsl1")) == ["Priya Sharma"]


def test_a_pupil_of_another_authority_never_matches_even_if_its_school_id_is_passed(app, pupils):
    a, b = pupils.a, pupils.b
    post = "Callum Fraser and Jordan Example"
    assert names(check(app, a, post, {a.school1, b.school1})) == ["Jordan Example"]
    # Brackley's own check does find him: the pupil is there, just not Avonford's to match.
    with _scope(app, b):
        assert names(find_matches(post, {b.school1})) == ["Callum Fraser"]


def test_a_register_of_two_thousand_pupils_checks_a_long_post(app, world):
    """A large school: the right pupil is found among 2,000, and a long post of ordinary words finds
    nothing."""
    from portal.extensions import db
    from portal.pupils.models import Pupil

    a = world.a
    forenames = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Ivy", "Arthur"]

    def surname(n: int) -> str:  # 2,000 different surnames of the same first letter and length
        return "Mac" + "".join(chr(97 + n // 26**k % 26) for k in (2, 1, 0))

    with _scope(app, a):
        db.session.add_all(
            Pupil(organisation_id=a.school1, legal_forename=forenames[n % 10], legal_surname=surname(n), date_of_birth=date(2015, 1, 1)) for n in range(2000)
        )
        db.session.commit()
    words = "the network meeting shared practice on online safety and attendance for Year six pupils Oliver Macbeth".split()
    post = " ".join(words[n % len(words)] for n in range(3000))
    assert check(app, a, post, {a.school1}) == []
    typed = f"Oliver {surname(1021)}"
    assert check(app, a, f"{post} {typed} left.", {a.school1}) == [Match("name", typed, NAME_REASON)]


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "typed",
    [
        "03/04/2014",
        "3/4/2014",
        "3/4/14",
        "03-04-2014",
        "03.04.2014",
        "2014-04-03",
        "3 April 2014",
        "3rd April 2014",
        "3rd of April 2014",
        "April 3, 2014",
        "April 3rd 2014",
        "3 Apr 2014",
        "2 June 2006",  # 19 today, the oldest flagged
        "01/06/2024",  # 2 today, the youngest flagged
        "29/02/2016",  # a leap day
    ],
)
def test_a_date_making_someone_of_school_age_today_is_flagged(typed):
    assert find_matches(f"Her date was {typed} I think.", set()) == [Match("date_of_birth", typed, DATE_REASON)]


@pytest.mark.parametrize(
    "typed",
    [
        "1 June 2006",  # 20 today
        "14/03/1980",
        "3/4/80",
        "1980-03-14",
        "14 March 1980",
        "March 14, 1980",
        "02/06/2026",  # tomorrow
        "31/05/2026",  # yesterday: a meeting far more often than a birthday
        "02/06/2024",  # a day short of 2
    ],
)
def test_a_date_for_an_adult_a_baby_or_in_the_future_is_not_flagged(typed):
    assert find_matches(f"Training was booked, see {typed} in the minutes.", set()) == []


@pytest.mark.parametrize(
    "post, typed",
    [
        ("Mum was born 14/03/1980.", "14/03/1980"),
        ("born on the 14th March 1980", "14th March 1980"),
        ("DOB: 1980-03-14", "1980-03-14"),
        ("d.o.b. 14.03.1980", "14.03.1980"),
        ("D.O.B 14 March 1980", "14 March 1980"),
        ("Date of birth: March 14, 1980", "March 14, 1980"),
        ("date of birth is 02/06/2027", "02/06/2027"),
    ],
)
def test_any_date_after_born_or_dob_is_flagged(post, typed):
    assert find_matches(post, set()) == [Match("date_of_birth", typed, BORN_REASON)]


@pytest.mark.parametrize("typed", ["31/02/2015", "29/02/2015", "30 February 2014", "2014-13-01", "00/04/2014", "32.01.2014"])
def test_a_date_that_does_not_exist_is_not_flagged(typed):
    assert find_matches(f"Born {typed}", set()) == []


@pytest.mark.parametrize("typed", ["3 March", "March 3rd", "3/4", "born in March 2014", "version 1.2.3.2014", "room 3/4/14b"])
def test_a_day_and_month_without_a_year_or_digits_that_run_on_are_not_flagged(typed):
    assert find_matches(typed, set()) == []


# ----------------------------------------------------------------------------------------------- UPNs


@pytest.mark.parametrize("typed", ["A123456789012", "a123456789012", "Z99988877766A", "A123456789012B"])
def test_a_upn_shape_is_flagged(typed):
    assert find_matches(f"UPN {typed}, on the CPOMS record.", set()) == [Match("upn", typed, UPN_REASON)]


@pytest.mark.parametrize(
    "typed",
    [
        "A12345678901",  # 11 digits
        "A1234567890123",  # 13 digits
        "AB123456789012",  # two letters
        "123456789012",  # no letter
        "refA123456789012",  # inside a longer word
        "A123456789012BC",
    ],
)
def test_a_near_miss_upn_is_not_flagged(typed):
    assert find_matches(f"Ref {typed} please.", set()) == []


# --------------------------------------------------------------------------------------------- together


def test_an_empty_school_set_still_checks_dates_and_upns_but_no_names(app, pupils):
    a = pupils.a
    post = "Jordan Example, DOB 03/04/2014, UPN A123456789012."
    assert check(app, a, post, set()) == [
        Match("date_of_birth", "03/04/2014", BORN_REASON),
        Match("upn", "A123456789012", UPN_REASON),
    ]


def test_each_match_once_in_the_order_typed_exactly_as_typed(app, pupils):
    a = pupils.a
    post = (
        "UPN a123456789012 belongs to J. Example (born 3rd April 2014). "
        "Jordan Example's teacher says jordan example is fine; Jordan Example again, 3rd April 2014 again."
    )
    matches = check(app, a, post, {a.school1})
    assert [(m.kind, m.text) for m in matches] == [
        ("upn", "a123456789012"),
        ("name", "J. Example"),
        ("date_of_birth", "3rd April 2014"),
        ("name", "Jordan Example"),
        ("name", "jordan example"),
    ]
    assert all(m.text in post for m in matches)


def test_ordinary_practice_talk_is_not_flagged(app, pupils):
    a = pupils.a
    post = (
        "At our DSL network meeting on 14 May we discussed Year 6 group chats. "
        "Mary from the high school shared a template letter; see section 3.2 of the policy, "
        "version 2, and call 0300 123 4567 for the front door."
    )
    assert check(app, a, post, {a.school1, a.school2}) == []
