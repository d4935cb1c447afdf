"""``Pupil``: a child on one school's register; ``PupilImport``: a register file being checked and imported by a job."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.file_imports import FileImport, ImportStatus  # noqa: F401 (ImportStatus: also found here)
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args

#: Year groups as a school MIS writes them: nursery, reception, then 1 to 14.
YEAR_GROUPS = ["N1", "N2", "R"] + [str(n) for n in range(1, 15)]


def year_group_label(value: str | None) -> str:
    if not value:
        return "Not recorded"
    if value in {"N1", "N2"}:
        return f"Nursery ({value})"
    if value == "R":
        return "Reception"
    return f"Year {value}"


def age_on(born: date, today: date) -> int:
    """Age in whole years on ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Pupil(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A child on a school's register. Only that school's staff see it (``portal.policies``)."""

    __tablename__ = "pupils"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        UniqueConstraint("authority_id", "organisation_id", "upn"),
        Index("ix_pupils_school_name", "authority_id", "organisation_id", "legal_surname", "legal_forename", "id"),
        # The pupils whose records have closed (their file received by a new school): few, read by every
        # query that leaves closed records out (portal.pupils.policy.records_open).
        Index(
            "ix_pupils_records_closed",
            "authority_id",
            "records_closed_at",
            postgresql_where=text("records_closed_at IS NOT NULL"),
            sqlite_where=text("records_closed_at IS NOT NULL"),
        ),
        CheckConstraint("upn IS NULL OR length(upn) = 13", name="upn_length"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    legal_forename: Mapped[str] = mapped_column(String(100), nullable=False)
    legal_surname: Mapped[str] = mapped_column(String(100), nullable=False)
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date, nullable=False)
    year_group: Mapped[str | None] = mapped_column(String(3))
    upn: Mapped[str | None] = mapped_column(String(13))
    sen: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    looked_after: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    child_protection_plan: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    eal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the new school received the child's child-protection file (``portal.transfers``): from then on
    #: the school's records of the child are read-only...
    file_transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ...and from this moment they are closed: nobody at the school sees them any more; the record of the
    #: transfer and its receipt stay. The receipt itself by default, later when the authority's setting
    #: keeps a read-only copy for some days.
    records_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "Pupil.organisation_id")

    @property
    def full_name(self) -> str:
        return f"{self.legal_forename} {self.legal_surname}"

    @property
    def display_name(self) -> str:
        """The name staff use, with the legal name beside it when they differ."""
        if self.preferred_name and self.preferred_name != self.legal_forename:
            return f"{self.preferred_name} {self.legal_surname} (legal name {self.full_name})"
        return self.full_name

    @property
    def known_by_preferred_name(self) -> bool:
        return bool(self.preferred_name) and self.preferred_name != self.legal_forename

    @property
    def records_closed(self) -> bool:
        """The school's records of the child are closed (their file went to the new school)."""
        return self.records_closed_at is not None and self.records_closed_at <= utcnow()

    @property
    def age(self) -> int:
        """Age in whole years today."""
        return age_on(self.date_of_birth, uk_today())

    @property
    def reference(self) -> str:
        """A reference for the pupil that is not their name (in file names and on printed pages):
        ``P-`` and the first eight characters of their id."""
        return f"P-{self.id.hex[:8].upper()}"

    @property
    def short_name(self) -> str:
        return f"{self.preferred_name or self.legal_forename} {self.legal_surname}"

    @property
    def year_group_label(self) -> str:
        return year_group_label(self.year_group)

    @property
    def flags(self) -> list[str]:
        out = []
        if self.child_protection_plan:
            out.append("Child protection plan")
        if self.looked_after:
            out.append("Looked after")
        if self.sen:
            out.append("SEN")
        if self.eal:
            out.append("EAL")
        return out


class PupilImport(FileImport, TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A register file a DSL uploaded: a job checks it and imports it whole, or not at all (``portal.pupils.jobs``).
    The file is kept only until then; what stays is who, when, the counts and the problems found (the columns
    every imported file has are ``portal.file_imports.FileImport``)."""

    __tablename__ = "pupil_imports"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("requested_by_id", "users"),
        Index("ix_pupil_imports_requester", "authority_id", "requested_by_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: Rows in the file (known once it has been read), and what the import did.
    rows: Mapped[int | None] = mapped_column(Integer)
    added: Mapped[int | None] = mapped_column(Integer)
    updated: Mapped[int | None] = mapped_column(Integer)
    unchanged: Mapped[int | None] = mapped_column(Integer)
    #: What was done about pupils the file says are leaving, for the DSL.
    notes: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    organisation = tenant_relationship("Organisation", "PupilImport.organisation_id")
