"""Factories for the safety map tests: real images, a map with its image in the file store, markers and
tablet links, made through the models inside the authority's tenant context. Summits and invitations
come from ``tests.summits.support``."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import BytesIO

from tests.factories import _scope
from tests.summits.support import invite, make_summit


def png_bytes(width: int = 40, height: int = 30, **save) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 220, 200)).save(out, "PNG", **save)
    return out.getvalue()


#: A phone photo's kind of location: 51°30'12"N 0°7'39"W, with the camera's make.
GPS = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}


def jpeg_with_gps(width: int = 60, height: int = 40) -> bytes:
    """A JPEG carrying EXIF as a phone camera writes it: make, model and a GPS position."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Pocket Camera 12"
    exif[0x8825] = GPS
    out = BytesIO()
    Image.new("RGB", (width, height), (180, 180, 220)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def summit_with_partner(app, side, **fields) -> uuid.UUID:
    """A summit hosted by school1 (organised by its DSLs and by the front door), to which the police
    partner was invited and accepted. School2 and the health partner are not in it."""
    summit_id = make_summit(app, side, **fields)
    invite(app, side, summit_id, "police", "accepted")
    return summit_id


def make_map(
    app, side, summit_id, *, columns: int = 8, rows: int = 6, width: int = 800, height: int = 600, title: str = "Streets around the school"
) -> uuid.UUID:
    """A safety map with a real PNG in the file store."""
    from portal.casework import files
    from portal.extensions import db
    from portal.summits.models import MapKind, SafetyMap

    data = png_bytes(width, height)
    with _scope(app, side):
        key = files.new_key()
        files.write(key, data)
        row = SafetyMap(
            summit_id=summit_id,
            title=title,
            kind=MapKind.NEIGHBOURHOOD,
            description="The streets between the school and the bus station; north is up.",
            content_type="image/png",
            size_bytes=len(data),
            width=width,
            height=height,
            storage_key=key,
            grid_columns=columns,
            grid_rows=rows,
            uploaded_by_id=side.dsl1.id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def map_with_partner(app, side) -> uuid.UUID:
    return make_map(app, side, summit_with_partner(app, side))


def make_marker(app, side, map_id, square: str = "B3", safety: str = "unsafe", *, link_id=None, by: str = "dsl1", **fields) -> uuid.UUID:
    from portal.extensions import db
    from portal.summits.map_service import Grid, new_marker, resolve_position
    from portal.summits.models import SafetyMap

    with _scope(app, side):
        safety_map = db.session.get(SafetyMap, map_id)
        position = resolve_position(Grid.of(safety_map), square, None, None, "grid")
        values = {"place": None, "note": None, "suggestion": None, "group_label": "Group 1, Year 9"}
        values.update(fields)
        marker = new_marker(safety_map, position, safety=safety, placed_by_id=None if link_id else side.people[by].id, link_id=link_id, **values)
        db.session.add(marker)
        db.session.commit()
        return marker.id


def make_link(app, side, map_id, group: str = "Group 3, Year 10", *, expires_in: timedelta = timedelta(hours=2), by: str = "dsl1") -> tuple[uuid.UUID, str]:
    """A tablet link and its secret (the secret is what the link's address carries)."""
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.summits.map_service import new_link
    from portal.summits.models import SafetyMap

    with _scope(app, side):
        safety_map = db.session.get(SafetyMap, map_id)
        link, secret = new_link(safety_map, group_label=group, expires_at=utcnow() + expires_in, created_by_id=side.people[by].id)
        db.session.add(link)
        db.session.commit()
        return link.id, secret


def tablet_path(side, secret: str) -> str:
    return f"/young-people/{side.slug}/map/{secret}"
