"""A pupil's chronology: what the DSL sees, in what order, the filter, keyset pages, the audit, and a query
count that does not grow with the pupil's history."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.factories import make_concern, make_pupil
from tests.support import audit_events, page_queries


def _add_entries(app, side, pupil_id, object_id, items, by="dsl1"):
    """Chronology lines for ``pupil_id``: ``items`` are (kind, title, occurred_at, detail), the detail
    kept as the line's substance."""
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.extensions import db
    from tenants.context import tenant_scope

    person = side.people[by]
    with app.app_context(), tenant_scope(side.authority_id, person.id):
        for kind, title, moment, detail in items:
            chronology.add(
                pupil_id=pupil_id,
                organisation_id=side.school1,
                kind=EntryKind(kind),
                title=title,
                object_type="concern",
                object_id=object_id,
                substance=chronology.lines(("Detail", detail)),
                occurred_at=moment,
            )
        db.session.commit()


def _titles(response) -> list[str]:
    """The titles of the lines shown, top to bottom."""
    markup = response.get_data(as_text=True)
    return [html.unescape(t).strip() for t in re.findall(r'<h3 class="govuk-heading-s[^"]*">(.*?)</h3>', markup, re.S)]


def _older_link(response) -> str | None:
    markup = response.get_data(as_text=True)
    match = re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]*)" rel="next">.*?Older entries', markup, re.S)
    return html.unescape(match.group(1)) if match else None


def test_dsl_sees_the_pupils_time_line_newest_first(app, world, signed_in):
    """Does the DSL see every line about the pupil, newest first, with when, what kind, what, detail and who,
    under a heading naming the pupil with their date of birth and year group?"""
    pupil_id = make_pupil(app, world.a, legal_forename="Amira", legal_surname="Khan", year_group="5")
    other_pupil = make_pupil(app, world.a, legal_forename="Ben", legal_surname="Other")
    concern_id = make_concern(app, world.a, pupil_id)  # "Concern logged", two hours ago's record, now
    now = utcnow()
    _add_entries(
        app,
        world.a,
        pupil_id,
        concern_id,
        [
            ("triage", "DSL triage: monitor and speak to parents", now - timedelta(days=3), "Agreed to speak to mum at pick-up."),
            ("advice", "Advice asked of the front door", now - timedelta(days=2), None),
            ("referral", "Referral sent to the front door", now - timedelta(days=1), None),
        ],
    )
    _add_entries(app, world.a, other_pupil, concern_id, [("concern", "Another child's concern", now, None)])

    response = signed_in(world.a.dsl1).get(f"/pupils/{pupil_id}/chronology")

    assert response.status_code == 200
    assert _titles(response) == [
        "Concern logged",
        "Referral sent to the front door",
        "Advice asked of the front door",
        "DSL triage: monitor and speak to parents",
    ]
    text = page_text(response)
    assert "Amira Khan" in text and "14 March 2015" in text and "Year 5" in text
    assert "Agreed to speak to mum at pick-up." in text
    assert "By Staff1" in text and "By Dsl1" in text  # the person who did each thing
    assert "Advice from the front door" in text and "Referrals and outcomes" in text  # the kinds
    assert "Another child's concern" not in text
    assert "Export as PDF" in text
    # Each line's time for machines too, as HTML writes it (to the second, with its offset).
    stamps = re.findall(r'<time datetime="([^"]+)"', response.get_data(as_text=True))
    assert len(stamps) == 4 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", stamp) for stamp in stamps), stamps


def test_the_head_sees_it_and_staff_cannot(app, world, signed_in):
    """Is the chronology the school's casework (DSL and head), not open to every member of staff?"""
    pupil_id = make_pupil(app, world.a)
    make_concern(app, world.a, pupil_id)
    assert signed_in(world.a.head1).get(f"/pupils/{pupil_id}/chronology").status_code == 200
    assert signed_in(world.a.staff1).get(f"/pupils/{pupil_id}/chronology").status_code == 403


def test_viewing_the_chronology_is_audited(app, world, signed_in):
    """Is each view of a chronology recorded: who, which pupil, which filter?"""
    pupil_id = make_pupil(app, world.a)
    client = signed_in(world.a.dsl1)
    client.get(f"/pupils/{pupil_id}/chronology")
    client.get(f"/pupils/{pupil_id}/chronology?kind=referral")

    views = audit_events(app, world.a.authority_id, "chronology.viewed")
    assert [(e.actor_id, e.object_type, e.object_id, e.details["kinds"]) for e in views] == [
        (world.a.dsl1.id, "pupil", str(pupil_id), []),
        (world.a.dsl1.id, "pupil", str(pupil_id), ["referral"]),
    ]
    assert views[0].organisation_id == world.a.school1


def test_filter_by_kind(app, world, signed_in):
    """Does ticking kinds show only those lines, keep the boxes ticked, and carry the filter to the PDF button?"""
    pupil_id = make_pupil(app, world.a)
    concern_id = make_concern(app, world.a, pupil_id)
    now = utcnow()
    _add_entries(
        app,
        world.a,
        pupil_id,
        concern_id,
        [
            ("triage", "Triaged: early help offered", now - timedelta(hours=5), None),
            ("referral", "Referral sent", now - timedelta(hours=4), None),
            ("referral", "Decision: child in need assessment", now - timedelta(hours=1), None),
        ],
    )
    client = signed_in(world.a.dsl1)

    response = client.get(f"/pupils/{pupil_id}/chronology?kind=referral&kind=triage")

    assert _titles(response) == ["Decision: child in need assessment", "Referral sent", "Triaged: early help offered"]
    markup = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*value="referral"[^>]*checked', markup)
    assert not re.search(r'<input[^>]*value="concern"[^>]*checked', markup)
    export_form = re.search(r'<form method="post" action="/pupils/[^"]+/chronology/export".*?</form>', markup, re.S).group(0)
    assert sorted(re.findall(r'name="kind" value="(\w+)"', export_form)) == ["referral", "triage"]
    # Nothing ticked, or something unknown in the address: everything is shown.
    assert len(_titles(client.get(f"/pupils/{pupil_id}/chronology?kind=nonsense"))) == 4


def test_keyset_pages_over_120_entries_have_no_repeats_or_gaps(app, world, signed_in):
    """Do the "Older entries" links walk through 120 lines, 50 a page, each exactly once and in order,
    even when several lines share the same moment?"""
    pupil_id = make_pupil(app, world.a)
    concern_id = make_concern(app, world.a, pupil_id, occurred_at=utcnow())
    start = utcnow() - timedelta(days=200)
    # Three lines at each moment: the page boundaries fall inside groups of equal times.
    _add_entries(app, world.a, pupil_id, concern_id, [("concern", f"Entry {n:03d}", start + timedelta(days=n // 3), None) for n in range(119)])
    client = signed_in(world.a.dsl1)

    seen, pages, url = [], [], f"/pupils/{pupil_id}/chronology"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(len(_titles(response)))
        seen += _titles(response)
        url = _older_link(response)

    assert pages == [50, 50, 20]
    assert len(seen) == len(set(seen)) == 120
    assert seen[0] == "Concern logged"
    # Newest first: the moments never go up (the ids order lines at the same moment).
    days = [int(t.split()[1]) // 3 for t in seen[1:]]
    assert days == sorted(days, reverse=True)
    assert set(seen[1:]) == {f"Entry {n:03d}" for n in range(119)}


def test_an_older_page_keeps_the_filter(app, world, signed_in):
    """Does "Older entries" on a filtered chronology stay filtered?"""
    pupil_id = make_pupil(app, world.a)
    concern_id = make_concern(app, world.a, pupil_id)
    start = utcnow() - timedelta(days=100)
    _add_entries(app, world.a, pupil_id, concern_id, [("advice" if n % 2 else "triage", f"Line {n}", start + timedelta(hours=n), None) for n in range(120)])
    client = signed_in(world.a.dsl1)
    first = client.get(f"/pupils/{pupil_id}/chronology?kind=advice")
    second = client.get(_older_link(first))
    assert _older_link(second) is None
    titles = _titles(first) + _titles(second)
    assert len(titles) == 60 and all(int(t.split()[1]) % 2 for t in titles)


def test_query_count_does_not_grow_with_the_chronology(app, world, signed_in):
    """Is a page of 500 lines as many queries as a page of 10 (no query per line)?"""
    small = make_pupil(app, world.a, legal_forename="Small")
    large = make_pupil(app, world.a, legal_forename="Large")
    concern_id = make_concern(app, world.a, small)
    now = utcnow()
    _add_entries(app, world.a, small, concern_id, [("concern", f"S{n}", now - timedelta(minutes=n), "x") for n in range(9)])
    _add_entries(app, world.a, large, concern_id, [("concern" if n % 2 else "advice", f"L{n}", now - timedelta(minutes=n), "x") for n in range(250)], by="dsl1")
    _add_entries(app, world.a, large, concern_id, [("referral", f"M{n}", now - timedelta(minutes=n, seconds=30), None) for n in range(250)], by="head1")
    client = signed_in(world.a.dsl1)
    client.get(f"/pupils/{small}/chronology")  # templates compiled, caches warm

    small_count, small_page = page_queries(app, client, f"/pupils/{small}/chronology")
    large_count, large_page = page_queries(app, client, f"/pupils/{large}/chronology")

    assert len(_titles(small_page)) == 10 and len(_titles(large_page)) == 50
    assert small_count == large_count
