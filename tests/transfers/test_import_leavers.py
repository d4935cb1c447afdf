"""A school's MIS export says who is leaving: the import records each leaving for the school the destination
URN names (of this authority, or of another on the portal), ready for the file to be sent once the place is
confirmed; it says which pupils still need a destination, and never records a leaving twice."""

from __future__ import annotations

import io

from tests.admin.pages import page_text
from tests.support import detached_rows, signed_in_client


def _upload(client, content: str):
    return client.post("/pupils/import", data={"file": (io.BytesIO(content.encode()), "pupils.csv")}, content_type="multipart/form-data")


def _file(world) -> str:
    here, there = f"{ord('a')}0002", f"{ord('b')}0001"  # the URNs of A's second school and B's first
    return (
        "UPN,Legal Surname,Legal Forename,Date of Birth,Leaving Date,Destination URN\n"
        f"A123456789012,Example,Jordan,14/03/2015,19/12/2026,{here}\n"
        f"H801200001001,Jones,Sam,01/09/2015,2026-12-19,{there}\n"
        ",Sample,Amira,02/09/2015,19/12/2026,\n"
        ",Stays,Riley,02/10/2015,,\n"
        ",Moves,Far,03/10/2015,19/12/2026,999999\n"
    )


def test_an_import_records_the_leavers_for_the_schools_their_urns_name(app, world):
    from portal.transfers.models import DestinationKind, PupilTransfer

    dsl = signed_in_client(app, world.a.dsl1)
    response = _upload(dsl, _file(world))
    assert response.status_code == 302, page_text(response)
    message = page_text(dsl.get(response.headers["Location"]))
    assert "Import finished" in message and "5 pupils added, 0 updated, 0 unchanged." in message
    assert "2 leaving pupils are recorded on the Transfers page" in message
    assert "Record where these pupils are going (no destination URN, or one not on the portal): Amira Sample, Far Moves." in message

    transfers = {t.pupil_id: t for t in detached_rows(app, PupilTransfer, world.a.authority_id)}
    kinds = sorted((t.destination_kind, t.destination_name, t.confirmed_at is None) for t in transfers.values())
    assert kinds == sorted([(DestinationKind.SAME_AUTHORITY, "Avonford High School", True), (DestinationKind.OTHER_AUTHORITY, "Brackley Primary School", True)])
    listing = page_text(dsl.get("/transfers"))
    assert "Files to send (2)" in listing

    # The same file again: nothing recorded twice.
    again = _upload(dsl, _file(world))
    assert "2 leaving pupils had their leaving recorded already." in page_text(dsl.get(again.headers["Location"]))
    assert len(detached_rows(app, PupilTransfer, world.a.authority_id)) == 2


def test_a_urn_that_is_not_six_digits_is_a_problem_on_its_line(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    bad = (
        "Legal Surname,Legal Forename,Date of Birth,Leaving Date,Destination URN\nExample,Jordan,14/03/2015,19/12/2026,12AB\nSample,Amira,02/09/2015,,123456\n"
    )
    page = page_text(dsl.get(_upload(dsl, bad).headers["Location"]))
    assert "Line 2: Destination URN '12AB' is not a URN: a URN is 6 digits, like 123456" in page
    assert "Line 3: Destination URN is given without a leaving date: add the date the pupil leaves" in page
