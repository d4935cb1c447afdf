"""The authority's levels-of-need guidance and the indicators ticked against it.

The guidance is versioned: a change makes the next version and versions are never edited, so a referral
or an advice request keeps the version it was made under (``need_guidance_id`` on each) and shows the
indicators it was ticked against, whatever the guidance says now.
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, Integer, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, enum_column
from portal.vocabulary import Level
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class NeedGuidance(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One version of an authority's continuum of need (its levels-of-need guidance)."""

    __tablename__ = "need_guidance_versions"
    __table_args__ = tenant_table_args(
        parent_key("created_by_id", "users"),
        UniqueConstraint("authority_id", "number"),
    )

    number: Mapped[int] = mapped_column(Integer, nullable=False)
    #: What changed and why (shown in the list of versions).
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    indicators = tenant_relationship(
        "NeedIndicator", "NeedIndicator.guidance_id", parent="NeedGuidance", order_by="(NeedIndicator.rank, NeedIndicator.position)"
    )
    created_by = tenant_relationship("User", "NeedGuidance.created_by_id")


class NeedIndicator(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One indicator of a version, at one of the four levels of need."""

    __tablename__ = "need_indicators"
    __table_args__ = tenant_table_args(
        parent_key("guidance_id", "need_guidance_versions", ondelete="CASCADE"),
        Index("ix_need_indicators_guidance", "authority_id", "guidance_id", "rank", "position"),
        CheckConstraint("rank BETWEEN 1 AND 4", name="need_rank"),
    )

    guidance_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    level: Mapped[Level] = mapped_column(enum_column(Level), nullable=False)
    #: The level's place on the continuum (1 universal ... 4 child protection), to order and compare.
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class ReferralNeedIndicator(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An indicator the school ticked on a referral (from the referral's own guidance version)."""

    __tablename__ = "referral_need_indicators"
    __table_args__ = tenant_table_args(
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        parent_key("indicator_id", "need_indicators"),
        UniqueConstraint("authority_id", "referral_id", "indicator_id"),
        Index("ix_referral_need_indicators_indicator", "authority_id", "indicator_id"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    indicator_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    indicator = tenant_relationship("NeedIndicator", "ReferralNeedIndicator.indicator_id", lazy="joined")


class AdviceNeedIndicator(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An indicator the school ticked on an advice request."""

    __tablename__ = "advice_need_indicators"
    __table_args__ = tenant_table_args(
        parent_key("advice_request_id", "advice_requests", ondelete="CASCADE"),
        parent_key("indicator_id", "need_indicators"),
        UniqueConstraint("authority_id", "advice_request_id", "indicator_id"),
    )

    advice_request_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    indicator_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    indicator = tenant_relationship("NeedIndicator", "AdviceNeedIndicator.indicator_id", lazy="joined")
