"""Orphaned files: a file in an authority's store that no record names is removed once it is
ORPHANED_FILE_HOURS old, and a file any record names never is — whichever feature's record it is. The
features say which files they keep (``Feature.stored_files``); the test of that list does not trust it:
it reads every storage key written anywhere in the database after ``flask demo seed`` (every column
ending in ``key`` and every JSON value under such a name) and checks that the sweep knows each one."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import JSON, String, select

from tests.assessments.support import make_assessment
from tests.casework.conftest import TINY_PDF
from tests.factories import make_concern, make_pupil
from tests.forums.support import make_category
from tests.support import audit_events

KEY = re.compile(r"^[0-9a-f]{64}$")


def _keys_in(value, name: str = "") -> set[str]:
    """Every 64-hex storage key in a JSON value held under a name ending in ``key``."""
    if isinstance(value, dict):
        return {k for item_name, item in value.items() for k in _keys_in(item, item_name)}
    if isinstance(value, list):
        return {k for item in value for k in _keys_in(item, name)}
    return {value} if isinstance(value, str) and name.endswith("key") and KEY.match(value) else set()


def _keys_written(authority_id) -> dict[str, set[str]]:
    """``table.column`` -> the storage keys written there for the authority, read from every table with
    an ``authority_id`` (a column ending in ``key`` holding 64 hex digits, or a JSON value under such a
    name), plus the hand-overs the authority has posted and not yet seen taken in."""
    from portal.extensions import db

    found: dict[str, set[str]] = {}
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if "authority_id" not in table.c or table.name in ("audit_events",):
            continue
        attributes = [
            a for a in mapper.column_attrs if (isinstance(a.expression.type, String) and a.key.endswith("key")) or isinstance(a.expression.type, JSON)
        ]
        if not attributes:
            continue
        query = select(*(getattr(mapper.class_, a.key) for a in attributes)).where(mapper.class_.authority_id == authority_id)
        for row in db.session.execute(query):
            for attribute, value in zip(attributes, row, strict=True):
                keys = _keys_in(value) if isinstance(attribute.expression.type, JSON) else ({value} if isinstance(value, str) and KEY.match(value) else set())
                if keys:
                    found.setdefault(f"{table.name}.{attribute.expression.name}", set()).update(keys)
    from portal.transfers.handover import HandoverStatus, TransferHandover

    posted = select(TransferHandover.package).where(TransferHandover.from_authority_id == authority_id, TransferHandover.status == HandoverStatus.POSTED)
    for (package,) in db.session.execute(posted):
        found.setdefault("transfer_handovers.package", set()).update(_keys_in(package))
    return found


def _sweep(app, authority_id, moment) -> None:
    from portal.casework.jobs import remove_orphaned_files
    from portal.clock import travel
    from portal.extensions import db
    from tenants.context import tenant_scope

    with travel(moment), app.app_context(), tenant_scope(authority_id):
        remove_orphaned_files()
        db.session.commit()


def _files(app) -> set[Path]:
    root = Path(app.config["FILE_STORE_PATH"])
    return {p for p in root.rglob("*") if p.is_file()}


def _one_of_each_other_kind(app, side) -> None:
    """What the demo seed does not make: an attachment, a chronology PDF, a resource of the network, a
    school assessment's report."""
    import io

    from werkzeug.datastructures import FileStorage

    from portal.assessments.models import SchoolAssessment
    from portal.assessments.reports import request_report
    from portal.casework import attachments
    from portal.casework.models import EntryKind
    from portal.casework.service import request_export
    from portal.extensions import db
    from portal.forums.service import add_resource
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    pupil = make_pupil(app, side)
    concern = make_concern(app, side, pupil)
    category = make_category(app, side)
    assessment = make_assessment(app, side)
    with app.test_request_context(), tenant_scope(side.authority_id, side.dsl1.id):
        upload = FileStorage(io.BytesIO(TINY_PDF), filename="body map.pdf", content_type="application/pdf")
        attachments.save(upload, organisation_id=side.school1, concern_id=concern, uploaded_by_id=side.staff1.id)
        request_export(db.session.get(Pupil, pupil), list(EntryKind), requested_by_id=side.dsl1.id)
        resource = FileStorage(io.BytesIO(TINY_PDF), filename="policy.pdf", content_type="application/pdf")
        add_resource(title="Online safety policy", description=None, category_id=category, upload=resource, note=None, actor_id=side.dsl1.id)
        request_report(db.session.get(SchoolAssessment, assessment), requested_by_id=side.front_door.id)
        db.session.commit()


def test_no_file_a_record_names_is_ever_removed_after_the_demo_seed(app, world):
    """After ``flask demo seed`` (transfers sent and received within the authority and handed over to
    another, safety maps) and one record of each other kind that keeps a file (an attachment, a
    chronology PDF, the network's resource, an assessment's report), every storage key written anywhere
    is one the sweep asks the features about; a sweep a year later removes nothing."""
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.features import stored_file_keys
    from tenants.context import tenant_scope
    from tenants.directory import authority_ids

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    _one_of_each_other_kind(app, world.a)
    before = _files(app)
    assert len(before) >= 5
    written_somewhere: set[str] = set()
    with app.app_context():
        authorities = authority_ids(db.session)
        for authority_id in authorities:
            with tenant_scope(authority_id):
                written = _keys_written(authority_id)
                held = stored_file_keys()
                db.session.rollback()
            for column, keys in written.items():
                assert keys <= held, f"{column} holds storage keys no feature names in Feature.stored_files: the sweep would remove them"
            written_somewhere |= {column for column in written}
    # The demo seed wrote keys in each kind of place a feature keeps them, so the check above covered them.
    for column in (
        "attachments.storage_key",
        "chronology_exports.storage_key",
        "forum_resource_versions.storage_key",
        "assessment_reports.storage_key",
        "safety_maps.storage_key",
        "transfer_files.pdf_key",
        "incoming_transfers.pdf_key",
        "transfer_handovers.package",
    ):
        assert column in written_somewhere, column

    for authority_id in authorities:
        _sweep(app, authority_id, utcnow() + timedelta(days=365))
    assert _files(app) == before
    with app.app_context():
        for authority_id in authorities:
            assert audit_events(app, authority_id, "files.orphans_removed") == []


def test_a_file_no_record_names_is_removed_once_it_is_old_enough(app, world, stored_files):
    """A file nobody's record names (a form never saved, a half-written file) stays while it is younger
    than ORPHANED_FILE_HOURS (6), then goes, audited with the count and nothing else; another authority's
    orphan is left to that authority's own sweep."""
    from portal.casework import files
    from portal.clock import utcnow
    from tenants.context import tenant_scope

    hours = app.config["ORPHANED_FILE_HOURS"]
    assert hours == 6
    with app.test_request_context(), tenant_scope(world.a.authority_id):
        orphan, half = files.new_key(), files.new_key()
        files.write(orphan, b"%PDF-1.4 never saved")
        part = files.path_for(half).with_suffix(".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(b"half")
    with app.test_request_context(), tenant_scope(world.b.authority_id):
        other = files.write(files.new_key(), b"%PDF-1.4 another authority's")
    # Written now by the portal's clock (which a test run may set to another day than the machine's).
    written = utcnow()
    for path in [*stored_files(world.a), other]:
        os.utime(path, (written.timestamp(), written.timestamp()))
    assert len(stored_files(world.a)) == 2

    _sweep(app, world.a.authority_id, written + timedelta(hours=hours) - timedelta(minutes=5))
    assert len(stored_files(world.a)) == 2
    _sweep(app, world.a.authority_id, written + timedelta(hours=hours, minutes=5))
    assert stored_files(world.a) == []
    assert other.exists()
    events = audit_events(app, world.a.authority_id, "files.orphans_removed")
    assert len(events) == 1 and events[0].details == {"files": 2, "hours": 6} and events[0].actor_id is None


def test_a_file_a_record_names_stays_however_old(app, world, stored_files):
    """An attachment saved with a concern is kept however long after it the sweep runs."""
    import io

    from werkzeug.datastructures import FileStorage

    from portal.casework import attachments
    from portal.clock import utcnow
    from portal.extensions import db
    from tenants.context import tenant_scope

    concern = make_concern(app, world.a, make_pupil(app, world.a))
    with app.test_request_context(), tenant_scope(world.a.authority_id, world.a.staff1.id):
        upload = FileStorage(io.BytesIO(TINY_PDF), filename="body map.pdf", content_type="application/pdf")
        attachments.save(upload, organisation_id=world.a.school1, concern_id=concern, uploaded_by_id=world.a.staff1.id)
        db.session.commit()
    kept = stored_files(world.a)
    assert len(kept) == 1
    old = (utcnow() - timedelta(days=400)).timestamp()
    os.utime(kept[0], (old, old))
    _sweep(app, world.a.authority_id, utcnow() + timedelta(days=30))
    assert stored_files(world.a) == kept
