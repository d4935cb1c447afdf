"""Safety maps without the web: the grid, where a marker lands, cleaning and saving an uploaded image,
placing and removing markers, the summary of areas marked unsafe, and the anonymous tablet links (made,
claimed by one browser, turned off). Each change is audited; the caller commits.

A map is cut into a grid (columns lettered A, B, C…; rows numbered 1, 2, 3…). A marker is stored both
as a point (``x`` and ``y``, fractions 0–1 of the image's width and height) and as its grid square, so it
can be placed with a mouse, a finger or the keyboard (a point) or without JavaScript (a square, whose
centre becomes the point), and so the summary can group markers by area.
"""

from __future__ import annotations

import math
import re
import secrets
import string
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from portal import uploads
from portal.accounts.security import keyed_hash
from portal.audit.service import record
from portal.casework import files
from portal.clock import uk_datetime, utcnow
from portal.extensions import db
from portal.summits.actions import Action
from portal.summits.models import MapKind, MapLink, MapMarker, MarkerMethod, Safety, SafetyMap
from portal.text import clean_text

LETTERS = string.ascii_uppercase

#: The image types a map may be (as read from the bytes) -> Pillow's name for the format.
IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
#: Bigger than any phone photo or scanned plan needs; stops a small file that decompresses into a huge
#: image (a "decompression bomb") from taking the server's memory.
MAX_PIXELS = 50_000_000

#: A tablet link never works for longer than this.
LINK_LONGEST = timedelta(hours=12)
LINK_DEFAULT = timedelta(hours=3)


# The grid ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    columns: int
    rows: int

    @classmethod
    def of(cls, safety_map) -> Grid:
        return cls(safety_map.grid_columns, safety_map.grid_rows)

    def label(self, column: int, row: int) -> str:
        return f"{LETTERS[column]}{row + 1}"

    def squares(self) -> list[str]:
        """Every square, A1, A2 … A6, B1 … (the order of the select)."""
        return [self.label(c, r) for c in range(self.columns) for r in range(self.rows)]

    def parse(self, label: str | None) -> tuple[int, int] | None:
        """``"B3"`` -> ``(1, 2)``, or ``None`` if it is not a square of this grid."""
        match = re.fullmatch(r"([A-Za-z])(\d{1,2})", (label or "").strip())
        if not match:
            return None
        column, row = LETTERS.index(match[1].upper()), int(match[2]) - 1
        return (column, row) if column < self.columns and 0 <= row < self.rows else None

    def centre(self, column: int, row: int) -> tuple[float, float]:
        return round((column + 0.5) / self.columns, 4), round((row + 0.5) / self.rows, 4)

    def square_at(self, x: float, y: float) -> tuple[int, int]:
        """The square a point falls in (a point on a line between two squares belongs to the later one)."""
        return min(int(x * self.columns), self.columns - 1), min(int(y * self.rows), self.rows - 1)

    def sort_key(self, label: str) -> tuple[int, int]:
        return self.parse(label) or (99, 99)


@dataclass(frozen=True)
class Position:
    x: float
    y: float
    column: int
    row: int
    method: MarkerMethod


def _fraction(raw) -> float | None:
    """A number from 0 to 1 (a fraction of the image's width or height), or ``None``."""
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return round(value, 4) if math.isfinite(value) and 0 <= value <= 1 else None


def resolve_position(grid: Grid, square: str | None, x, y, method: str | None) -> Position | None:
    """Where a marker goes, from what the form sent.

    A point (``x``, ``y``) set by a pointer or the keyboard is used when it is valid and falls in the
    square chosen (or no square was chosen). Otherwise the chosen square wins: the marker goes to its
    centre, as if placed with the grid alone. ``None`` when neither gives a place.
    """
    chosen = grid.parse(square) if square else None
    point = (_fraction(x), _fraction(y))
    how = MarkerMethod(method) if method in (MarkerMethod.POINTER, MarkerMethod.KEYBOARD) else None
    if how is not None and None not in point:
        at = grid.square_at(*point)
        if chosen is None or chosen == at:
            return Position(point[0], point[1], at[0], at[1], how)
    if chosen is None:
        return None
    return Position(*grid.centre(*chosen), chosen[0], chosen[1], MarkerMethod.GRID)


def new_marker(
    safety_map,
    position: Position,
    *,
    safety: str,
    place: str | None,
    note: str | None,
    suggestion: str | None,
    group_label: str | None,
    placed_by_id=None,
    link_id=None,
) -> MapMarker:
    return MapMarker(
        map_id=safety_map.id,
        x=position.x,
        y=position.y,
        grid_column=position.column,
        grid_row=position.row,
        safety=Safety(safety),
        place=clean_text(place),
        note=clean_text(note),
        suggestion=clean_text(suggestion),
        group_label=clean_text(group_label),
        method=position.method,
        placed_by_id=placed_by_id,
        link_id=link_id,
    )


#: A tablet link (one group, one device) may add this many markers a minute, and this many in all: one
#: device must not swamp the map's summary of the places marked unsafe.
TABLET_MARKERS_PER_MINUTE = 10
TABLET_MARKERS_PER_GROUP = 40


def tablet_marker_problem(link) -> str | None:
    """Why the group on ``link`` may not add another marker now (``None`` if it may): too many in the last
    minute, or as many as a group can add. Counted in the database, so it holds whatever the rate limiter's
    storage does."""
    mine = select(func.count()).select_from(MapMarker).where(MapMarker.link_id == link.id)
    if db.session.execute(mine).scalar_one() >= TABLET_MARKERS_PER_GROUP:
        return f"Your group has added {TABLET_MARKERS_PER_GROUP} markers, the most a group can add. Tell the person running the session if there is more to say"
    recent = db.session.execute(mine.where(MapMarker.created_at > utcnow() - timedelta(minutes=1))).scalar_one()
    if recent >= TABLET_MARKERS_PER_MINUTE:
        return f"Your group has added {TABLET_MARKERS_PER_MINUTE} markers in the last minute. Wait a minute before adding another"
    return None


def place_marker(safety_map, marker: MapMarker) -> None:
    """Save a marker placed by a facilitator or through a tablet link (audited with its square, never its
    words)."""
    db.session.add(marker)
    db.session.flush()
    record(
        Action.MAP_MARKER_PLACED,
        object_type="map_marker",
        object_id=marker.id,
        details={
            "map_id": str(safety_map.id),
            "square": Grid.of(safety_map).label(marker.grid_column, marker.grid_row),
            "safety": marker.safety.value,
            "method": marker.method.value,
            **({"link_id": str(marker.link_id)} if marker.link_id else {}),
        },
    )


def remove_marker(safety_map, marker: MapMarker) -> str:
    """Remove a marker (placed by mistake, or naming someone). Returns the square it was in."""
    marker_id = marker.id
    square = Grid.of(safety_map).label(marker.grid_column, marker.grid_row)
    db.session.delete(marker)
    record(Action.MAP_MARKER_REMOVED, object_type="map_marker", object_id=marker_id, details={"map_id": str(safety_map.id), "square": square})
    return square


# The summary ------------------------------------------------------------------------------------------


@dataclass
class Area:
    """One grid square in the summary of areas marked unsafe."""

    square: str
    unsafe: int = 0
    safe: int = 0
    places: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def unsafe_areas(grid: Grid, markers: list[MapMarker]) -> list[Area]:
    """The squares marked unsafe at least once, most often first (then A1, A2 … in grid order), each with
    the places named there (once each) and the suggestions to make it safer."""
    areas: dict[str, Area] = OrderedDict()
    for marker in markers:
        label = grid.label(marker.grid_column, marker.grid_row)
        area = areas.setdefault(label, Area(label))
        if marker.safety is Safety.SAFE:
            area.safe += 1
            continue
        area.unsafe += 1
        if marker.place and marker.place.casefold() not in {p.casefold() for p in area.places}:
            area.places.append(marker.place)
        if marker.suggestion:
            area.suggestions.append(marker.suggestion)
    found = [a for a in areas.values() if a.unsafe]
    return sorted(found, key=lambda a: (-a.unsafe, grid.sort_key(a.square)))


# The uploaded image -----------------------------------------------------------------------------------


class MapImageRejected(ValueError):
    """The file cannot be used as a map; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class MapImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_image(upload: FileStorage) -> MapImage:
    """Check an uploaded map (PNG or JPEG by its bytes, within the attachments' size limit) and encode it
    again, which drops everything but the picture: EXIF (a phone photo's GPS position, camera, time),
    text chunks and colour profiles. A photo taken sideways is turned the right way up first."""
    head = upload.stream.read(8192)
    upload.stream.seek(0)
    if not head:
        raise MapImageRejected("The selected file is empty")
    kind = filetype.guess(head)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise MapImageRejected("The selected file must be a PNG or JPEG image")
    try:
        data, mime = uploads.read_upload(upload)  # the same size limit as attachments
    except uploads.AttachmentRejected as exc:
        raise MapImageRejected(str(exc)) from None
    finally:
        upload.stream.seek(0)
    unreadable = MapImageRejected("The selected file could not be read as an image. Save it again as a PNG or JPEG and try again")
    try:
        with Image.open(BytesIO(data), formats=[IMAGE_TYPES[mime]]) as original:
            if original.width * original.height > MAX_PIXELS:
                raise MapImageRejected("The image is too big: it must be smaller than 50 megapixels (for example 8000 by 6000 pixels)")
            picture = ImageOps.exif_transpose(original)
            picture.load()
    except MapImageRejected:
        raise
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise unreadable from None
    out = BytesIO()
    if mime == "image/jpeg":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.info = {}
        picture.save(out, "JPEG", quality=90, optimize=True)
    else:
        keep = {key: picture.info[key] for key in ("transparency",) if key in picture.info}
        picture.info = dict(keep)
        picture.save(out, "PNG", optimize=True, **keep)
    return MapImage(out.getvalue(), mime, picture.width, picture.height)


def upload_map(
    summit,
    image: MapImage,
    *,
    activity_id: uuid.UUID | None,
    title: str,
    kind: MapKind,
    description: str,
    grid_columns: int,
    grid_rows: int,
    uploaded_by_id,
) -> SafetyMap:
    """Store a cleaned image as one of the summit's maps (of one of its activities, or none)."""
    key = files.new_key()
    files.write(key, image.data)
    safety_map = SafetyMap(
        summit_id=summit.id,
        activity_id=activity_id,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        content_type=image.content_type,
        size_bytes=len(image.data),
        width=image.width,
        height=image.height,
        storage_key=key,
        grid_columns=grid_columns,
        grid_rows=grid_rows,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(safety_map)
    db.session.flush()
    record(
        Action.SAFETY_MAP_UPLOADED,
        object_type="safety_map",
        object_id=safety_map.id,
        organisation_id=summit.host_organisation_id,
        details={"summit_id": str(summit.id), "type": image.content_type, "bytes": len(image.data), "width": image.width, "height": image.height},
    )
    return safety_map


# Tablet links -----------------------------------------------------------------------------------------


def expiry_choices(summit_ends_at: datetime | None, now: datetime) -> tuple[list[tuple[str, str]], str]:
    """The choices for how long a new link works, and the default: until the summit ends (when that is
    later today, within the longest a link may last), else 3 hours."""
    options = []
    default = "3"
    if summit_ends_at is not None and summit_ends_at > now:
        if summit_ends_at - now <= LINK_LONGEST:
            options.append(("end", f"Until the summit ends ({uk_datetime(summit_ends_at)})"))
            default = "end"
        else:
            default = "12"
    options += [("1", "1 hour"), ("2", "2 hours"), ("3", "3 hours"), ("6", "6 hours"), ("12", "12 hours (the longest a link can work)")]
    return options, default


def expiry_from(choice: str, summit_ends_at: datetime | None, now: datetime) -> datetime:
    if choice == "end" and summit_ends_at is not None and summit_ends_at > now:
        return min(summit_ends_at, now + LINK_LONGEST)
    hours = int(choice) if choice in {"1", "2", "3", "6", "12"} else 3
    return now + min(timedelta(hours=hours), LINK_LONGEST)


def new_link(safety_map, *, group_label: str, expires_at: datetime, created_by_id) -> tuple[MapLink, str]:
    """A link and its secret. Only the secret's keyed hash is stored: the secret is shown once."""
    secret = secrets.token_urlsafe(32)
    link = MapLink(map_id=safety_map.id, token_hash=keyed_hash(secret), group_label=group_label.strip(), expires_at=expires_at, created_by_id=created_by_id)
    return link, secret


def make_link(summit, safety_map, *, group_label: str, expires_at: datetime, created_by_id) -> tuple[MapLink, str]:
    """A facilitator's link for a group's tablet, saved and audited; its secret is returned to be shown once."""
    link, secret = new_link(safety_map, group_label=group_label, expires_at=expires_at, created_by_id=created_by_id)
    db.session.add(link)
    db.session.flush()
    record(
        Action.MAP_LINK_CREATED,
        object_type="map_link",
        object_id=link.id,
        organisation_id=summit.host_organisation_id,
        details={"map_id": str(safety_map.id), "expires_at": expires_at.isoformat()},
    )
    return link, secret


def claim_link(link: MapLink) -> str | None:
    """The first browser to open a link claims it: a random device key for its cookie, whose keyed hash the
    link keeps (audited). ``None`` when another browser claimed it at the same moment (the caller then
    rolls back)."""
    device_key = secrets.token_urlsafe(32)
    claimed = db.session.execute(
        update(MapLink)
        .where(MapLink.id == link.id, MapLink.device_hash.is_(None))
        .values(device_hash=keyed_hash(device_key), claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    record(Action.MAP_LINK_OPENED, object_type="map_link", object_id=link.id, details={"map_id": str(link.map_id)})
    return device_key


def link_state(link: MapLink, now: datetime, *, summit_closed: bool = False) -> str:
    """``revoked``, ``expired``, ``closed`` (its summit is closed) or ``active``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    if summit_closed:
        return "closed"
    return "active"


def revoke_link(link: MapLink, now: datetime, **details) -> None:
    """Turn a link off for good (audited; the caller commits)."""
    link.revoked_at = now
    record(Action.MAP_LINK_REVOKED, object_type="map_link", object_id=link.id, details={"map_id": str(link.map_id), **details})


def revoke_links_made_by(summit_id, user_id, now: datetime) -> int:
    """Turn off the working links ``user_id`` made for the summit's maps (they no longer take part in it,
    so links they handed out must not outlive them). Returns how many."""
    links = (
        db.session.execute(
            select(MapLink).where(
                MapLink.created_by_id == user_id,
                MapLink.revoked_at.is_(None),
                MapLink.expires_at > now,
                MapLink.map_id.in_(select(SafetyMap.id).where(SafetyMap.summit_id == summit_id)),
            )
        )
        .scalars()
        .all()
    )
    for link in links:
        revoke_link(link, now, reason="maker_removed")
    return len(links)


def stored_files():
    """The storage keys of the safety maps' pictures in the authority in context."""
    return db.session.execute(select(SafetyMap.storage_key)).scalars()
